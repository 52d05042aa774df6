"""Operations: the hash-chained audit log, notifications and processed chat commands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, utcnow


class AuditEvent(Base):
    """Append-only; ``hash`` = sha256(prev_hash + canonical fields). Never updated."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Notification(Base):
    """Everything the bot tells staff goes through here first (delivered by the notifier)."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    subject: Mapped[str] = mapped_column(String(64))  # e.g. "task:12", "publication:3"
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: pending | sending | sent | logged | failed; a per-post publishing alert is ``held`` until
    #: review/publishing/alert_gathering.py files it under its account's episode (``grouped``)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    #: unique key so a clock firing twice does not notify twice
    dedup_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: a delivery claim runs out: a crash mid-delivery leaves the row to be claimed again
    claimed_until: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    #: a grouped alert: the ``dedup_key`` of its episode's notification
    episode: Mapped[str | None] = mapped_column(String(128), index=True)


class ChatCommand(Base):
    """A processed chat command by its platform key: a retry or double click gets the stored
    answer instead of acting twice."""

    __tablename__ = "chat_commands"
    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
