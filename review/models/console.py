"""The editors' console: server-side sessions and sign-in attempts (shared by every replica)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, utcnow


class ConsoleSession(Base):
    """One signed-in browser. The cookie carries a random id; only its sha256 is stored, so a
    copy of the database signs nobody in. Revoked by sign-out and by a new or revoked token."""

    __tablename__ = "console_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    #: the next page's notice (set by the server after an action, shown once)
    flash: Mapped[str | None] = mapped_column(Text)


class SignInAttempt(Base):
    """A console sign-in that was checked, kept for the rate limit's window (the token never)."""

    __tablename__ = "sign_in_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    #: the person the token named (known only when it named one), else NULL
    person_key: Mapped[str | None] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
