"""Searching the audit log (the console's audit page): by person, action, object and date, a page
at a time, newest first. Read only; the chain and its verification are review/store/audit.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import AuditEvent, Person

T = TypeVar("T")


@dataclass(frozen=True)
class AuditQuery:
    """Every field optional; ``until`` is exclusive (the start of the day after the last)."""

    actor: str | None = None
    action: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def _filtered(q: AuditQuery, stmt: Select[T]) -> Select[T]:
    if q.actor:
        stmt = stmt.where(AuditEvent.actor == q.actor)
    if q.action:
        stmt = stmt.where(AuditEvent.action == q.action)
    if q.subject_type:
        stmt = stmt.where(AuditEvent.subject_type == q.subject_type)
    if q.subject_id:
        stmt = stmt.where(AuditEvent.subject_id == q.subject_id)
    if q.since is not None:
        stmt = stmt.where(AuditEvent.at >= q.since)
    if q.until is not None:
        stmt = stmt.where(AuditEvent.at < q.until)
    return stmt


async def search(session: AsyncSession, q: AuditQuery, *, page: int, per_page: int) -> AuditPage:
    """Page ``page`` (from 1; past the end: the last) of the events matching ``q``."""
    counted = _filtered(q, select(func.count()).select_from(AuditEvent))
    total = int(await session.scalar(counted) or 0)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    stmt = _filtered(q, select(AuditEvent)).order_by(AuditEvent.seq.desc())
    rows = await session.scalars(stmt.limit(per_page).offset((page - 1) * per_page))
    return AuditPage(list(rows.all()), total, page, pages)


async def actions_in_use(session: AsyncSession) -> list[str]:
    """The action codes the log holds (the page's choice of actions)."""
    rows = await session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    return list(rows.all())


async def actors_in_use(session: AsyncSession) -> list[str]:
    """Who appears in the log: people's keys, and ``system`` / ``unknown``."""
    rows = await session.scalars(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor))
    return list(rows.all())


async def person_names(session: AsyncSession) -> dict[str, str]:
    """Every person's key → name: the log stores keys, staff read names."""
    rows = await session.execute(select(Person.key, Person.name))
    return {str(key): str(name) for key, name in rows}
