"""The 口径 library: approved answer wordings and the 办事指南 auto-answers, versioned.

An entry (what it is about, which department owns it, its kind) keeps every version; a version
is proposed, reviewed stage by stage along the chain pinned at submission, and only the newest
approved one is used. The entry's ``title``/``keywords`` are those of its live version (copied on
approval), so a 办事指南 keyword change goes live only when approved too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, utcnow


class WordingEntry(Base):
    __tablename__ = "wording_entries"
    __table_args__ = (UniqueConstraint("kind", "title"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: "wording" (口径) | "guide" (办事指南, answered automatically by the callback)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(String(64), default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    #: the live version's keywords (办事指南: the questions it answers), a list of strings
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: None: imported by the system from the shipped 办事指南 file
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WordingVersion(Base):
    __tablename__ = "wording_versions"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("wording_entries.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text)
    #: draft | in_review | approved | rejected | superseded (review.states.WordingStatus)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: the chain pinned at submission: [{"name", "department_id", "role"}, …]
    chain: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: the position in ``chain`` whose decision is awaited
    stage_index: Mapped[int] = mapped_column(Integer, default=0)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    submitted_at: Mapped[datetime | None] = mapped_column()
    #: 办事指南: approved and live by then (one working day after submission)
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    approved_at: Mapped[datetime | None] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WordingApproval(Base):
    """One stage's decision on a version (None person: the system import)."""

    __tablename__ = "wording_approvals"
    __table_args__ = (UniqueConstraint("version_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("wording_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    stage_name: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: approved | rejected
    decision: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
