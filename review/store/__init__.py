"""Every SQL query of the domain, one module per area (re-exported as submodules)."""

from review.store import audit, directory, drafts, review, scheduling

__all__ = ["audit", "directory", "drafts", "review", "scheduling"]
