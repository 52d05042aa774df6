"""Publications (one per draft × account) and the platform access tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, utcnow


class Publication(Base):
    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("draft_id", "account_id"),
        Index("ix_publications_due", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    due_at: Mapped[datetime] = mapped_column()
    #: the first due time, kept when a retry moves ``due_at`` (lateness is measured from it)
    scheduled_for: Mapped[datetime | None] = mapped_column()
    #: when the current attempt's claim runs out (crash detection)
    lease_until: Mapped[datetime | None] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    #: when this attempt's public call was about to start (after the channel's private steps: a
    #: WeChat draft, uploads), committed before that call: set, the post may be out (a lapsed
    #: lease is reconciled); NULL, it surely is not (a lapsed lease is simply handed back).
    #: Cleared whenever the row goes back to ``scheduled``.
    sending_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: our key the platform can echo back (mass clientmsgid, link marker)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    remote_id: Mapped[str | None] = mapped_column(String(128))
    #: the platform receipt's extra fields (publish_id, media_id, msg_id, article index)
    receipt_extra: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    url: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column()
    retracted_at: Mapped[datetime | None] = mapped_column()
    retract_reason: Mapped[str | None] = mapped_column(Text)
    late_seconds: Mapped[float | None] = mapped_column()
    #: ``pending``: when the poller asks the platform again (it backs off; NULL: at once)
    next_check_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AccessToken(Base):
    """One token holder per account, refreshed by one job (``stable_token``)."""

    __tablename__ = "access_tokens"
    account_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(1024))
    expires_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
