"""Leases: one replica at a time holds a named duty (``token:<account>``: its token refresher).

The rule is ``review/leases.py``; the guarded upsert that applies it, ``review/store/leases.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, utcnow


class Lease(Base):
    """A row per duty; a holder that stops renewing loses it at ``expires_at``."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    #: the replica's worker name (``review.publishing.engine.worker_name``: host-pid-random)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
