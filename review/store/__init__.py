"""Every SQL query of the domain, one module per area (re-exported as submodules)."""

from review.store import audit, directory, drafts
from review.store import review, scheduling

__all__ = ["audit", "directory", "drafts", "review", "scheduling"]
