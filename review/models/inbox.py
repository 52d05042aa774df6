"""Citizens' messages, the answers given, seen callback nonces and polling cursors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, utcnow


class CitizenMessage(Base):
    __tablename__ = "citizen_messages"
    __table_args__ = (
        UniqueConstraint("account_id", "dedup_key"),
        Index("ix_citizen_messages_queue", "department_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    platform: Mapped[str] = mapped_column(String(16))
    dedup_key: Mapped[str] = mapped_column(String(200))
    sender: Mapped[str] = mapped_column(String(128))
    msg_type: Mapped[str] = mapped_column(String(32))
    event: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="")
    remote_ref: Mapped[str | None] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="new")
    #: filled by the slow path after the passive reply
    processed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    topic: Mapped[str | None] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    hot: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline_at: Mapped[datetime | None] = mapped_column()
    deadline_note: Mapped[str | None] = mapped_column(String(64))
    reminded_at: Mapped[datetime | None] = mapped_column()
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    close_reason: Mapped[str | None] = mapped_column(Text)
    #: when the platform stops taking the account's messages to this citizen (WeChat: 48 h after
    #: their last message; reopened when they write again); None where no window applies
    reply_window_closes_at: Mapped[datetime | None] = mapped_column(index=True)
    #: the interim reply (受理/转办 and when to expect the answer) sent inside the window
    interim_sent_at: Mapped[datetime | None] = mapped_column()
    #: how the final answer reached the citizen: cs | public | phone | comment
    answer_route: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column()
    #: the 留言答复 draft that carries a public answer
    public_draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))


class MessageReply(Base):
    __tablename__ = "message_replies"
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("citizen_messages.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    #: queued | sent | outside_window | failed
    status: Mapped[str] = mapped_column(String(16), default="queued")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    #: cs | interim | public | phone | comment (None: a customer-service answer before 0008)
    route: Mapped[str | None] = mapped_column(String(16))


class SeenNonce(Base):
    """Callback nonces inside the time window: a repeat with the same body is a retry,
    with another body a replay."""

    __tablename__ = "seen_nonces"
    __table_args__ = (UniqueConstraint("scope", "nonce"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(80))
    nonce: Mapped[str] = mapped_column(String(64))
    body_digest: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Cursor(Base):
    """Where a poller stopped (Weibo comments ``since_id``), shared by all replicas."""

    __tablename__ = "cursors"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    calls_today: Mapped[int] = mapped_column(Integer, default=0)
    day: Mapped[str] = mapped_column(String(10), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Note(Base):
    """A free-text note on a message (transfer 转办 reasons, internal remarks)."""

    __tablename__ = "message_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("citizen_messages.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
