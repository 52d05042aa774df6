"""Posts found on the platforms by the daily back-office sync, and each account's last sync.

The inspection counts what the public sees: a post made in the WeChat or Weibo back office
keeps the 14-day clock as well as one the bot published, and one no reviewed publication
accounts for is 未经审核发布 (``flagged_at``: its owner department was told, once).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, utcnow


class PlatformPost(Base):
    __tablename__ = "platform_posts"
    __table_args__ = (
        UniqueConstraint("account_id", "remote_id"),
        Index("ix_platform_posts_account_posted", "account_id", "posted_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    #: WeChat article_id (``:<index>`` after the first article), Weibo status id
    remote_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(200))
    excerpt: Mapped[str] = mapped_column(Text, default="")
    posted_at: Mapped[datetime] = mapped_column()
    url: Mapped[str | None] = mapped_column(String(500))
    #: the idempotency key the bot puts in its posts, found in this one
    marker: Mapped[str | None] = mapped_column(String(64))
    #: the bot's publication this post is (by remote id or marker); NULL: not the bot's
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    #: when the owner department was told it went out without review (NULL: not flagged)
    flagged_at: Mapped[datetime | None] = mapped_column()
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlatformSync(Base):
    """One row per account: when its posts were last listed, and how that went."""

    __tablename__ = "platform_syncs"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    ran_at: Mapped[datetime] = mapped_column()
    #: the last listing that reached back over the whole window
    ok_at: Mapped[datetime | None] = mapped_column()
    #: why the last run failed or stopped short (Chinese), NULL when it went well
    problem: Mapped[str | None] = mapped_column(Text)
