"""What staff did to a WeChat article comment stored as a citizen message: 精选, deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, utcnow


class WeChatComment(Base):
    """One row per moderated comment (a comment nobody moderated has none). The platform is
    the truth for readers; this row is what the console and chat show without asking it."""

    __tablename__ = "wechat_comments"
    message_id: Mapped[int] = mapped_column(
        ForeignKey("citizen_messages.id", ondelete="CASCADE"), primary_key=True
    )
    elected: Mapped[bool] = mapped_column(Boolean, default=False)
    #: deleted on the platform as abusive, with the reason staff gave
    deleted_at: Mapped[datetime | None] = mapped_column()
    delete_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
