"""Drafts with immutable revisions, gate runs, overrides and review tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, utcnow


class Draft(Base):
    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(24), default="draft", index=True)
    current_revision: Mapped[int] = mapped_column(Integer, default=1)
    #: a correction notice points at the publication it corrects
    corrects_publication_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DraftTarget(Base):
    __tablename__ = "draft_targets"
    __table_args__ = (UniqueConstraint("draft_id", "account_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


class Revision(Base):
    """One immutable version of a draft; nothing is ever overwritten."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(100))
    author_name: Mapped[str] = mapped_column(String(32), default="")
    digest: Mapped[str] = mapped_column(String(400), default="")
    cover_path: Mapped[str | None] = mapped_column(String(500))
    publish_at: Mapped[datetime | None] = mapped_column()
    #: 公开属性 decided at the source (review.disclosure); 不予公开 never goes out
    disclosure: Mapped[str] = mapped_column(
        String(8), default="主动公开", server_default="主动公开"
    )
    #: a 政策解读 names the 规范性文件 it interprets (谁起草、谁解读: review.interpretations)
    interprets_draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    #: sha256 over the publishable content; approvals pin it
    content_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GateRun(Base):
    __tablename__ = "gate_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    verdict: Mapped[str] = mapped_column(String(8))
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: who submitted (each submission runs the gate once): never reviews the draft
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Override(Base):
    """A head's written, audited decision to let a blocking check pass for one revision."""

    __tablename__ = "overrides"
    __table_args__ = (UniqueConstraint("revision_id", "check_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    check_name: Mapped[str] = mapped_column(String(32))
    head_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewTask(Base):
    """One stage of one account's chain for one revision."""

    __tablename__ = "review_tasks"
    __table_args__ = (
        UniqueConstraint("revision_id", "account_id", "stage_index"),
        Index("ix_review_tasks_queue", "department_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    stage_index: Mapped[int] = mapped_column(Integer)
    stage_name: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[str] = mapped_column(String(24), default="open", index=True)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    lease_until: Mapped[datetime | None] = mapped_column()
    reminded_at: Mapped[datetime | None] = mapped_column()
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    #: the revision's content hash, pinned when the task is approved
    approved_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
