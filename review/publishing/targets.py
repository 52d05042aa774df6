"""Where a publication goes and who owns it: read once at claim time, carried by its job."""

from __future__ import annotations

from dataclasses import dataclass

from review.models import Revision


@dataclass(frozen=True)
class Target:
    """Where a publication goes and who owns it."""

    key: str
    account_id: int
    department_id: int
    revision: Revision
