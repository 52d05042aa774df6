"""Queries and guarded changes of the 口径 library (``review.wordings``).

Every status change is a ``transition()`` from ``review.states.WORDING_TRANSITIONS``, checked by
its rowcount; a stage's decision is also guarded by the awaited stage and by "not involved"
(``involvement``), the SQL backstop of ``review.eligibility`` as for drafts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from review.models import Department, WordingApproval, WordingEntry, WordingVersion
from review.states import WordingStatus as W
from review.store.transitions import apply, transition

V = WordingVersion
#: a version that has been live (approved, then perhaps superseded by a newer approval)
WAS_LIVE = V.approved_at.is_not(None)


async def entry(session: AsyncSession, entry_id: int) -> WordingEntry | None:
    return await session.get(WordingEntry, entry_id)


async def entry_by_title(session: AsyncSession, kind: str, title: str) -> WordingEntry | None:
    return await session.scalar(
        select(WordingEntry).where(WordingEntry.kind == kind, WordingEntry.title == title)
    )


async def versions(session: AsyncSession, entry_id: int) -> list[WordingVersion]:
    rows = await session.scalars(select(V).where(V.entry_id == entry_id).order_by(V.number))
    return list(rows)


async def version(session: AsyncSession, version_id: int) -> WordingVersion | None:
    return await session.get(V, version_id)


async def newest(session: AsyncSession, entry_id: int) -> WordingVersion | None:
    return await session.scalar(
        select(V).where(V.entry_id == entry_id).order_by(V.number.desc()).limit(1)
    )


async def add_version(session: AsyncSession, **values: Any) -> WordingVersion:
    number = await session.scalar(
        select(func.coalesce(func.max(V.number), 0)).where(V.entry_id == values["entry_id"])
    )
    row = V(number=int(number or 0) + 1, **values)
    session.add(row)
    await session.flush()
    return row


async def supersede_pending(session: AsyncSession, entry_id: int, keep: int) -> int:
    """Older drafts and versions under review give way to a newer edit."""
    stmt = transition(V, W.SUPERSEDED, W.DRAFT, W.IN_REVIEW).where(
        V.entry_id == entry_id, V.id != keep
    )
    return await apply(session, stmt)


async def submit(
    session: AsyncSession,
    version_id: int,
    person_id: int | None,
    now: datetime,
    chain: list[dict[str, Any]],
    due_at: datetime | None,
) -> int:
    stmt = (
        transition(V, W.IN_REVIEW, W.DRAFT)
        .where(V.id == version_id)
        .values(submitted_by=person_id, submitted_at=now, chain=chain, stage_index=0, due_at=due_at)
    )
    return await apply(session, stmt)


def involvement(version: WordingVersion) -> CompoundSelect[Any]:
    """Who wrote or submitted this version or any unapproved version of the entry since the
    last one that was live: their words are in the text under review."""
    last = (
        select(func.coalesce(func.max(V.number), 0))
        .where(V.entry_id == version.entry_id, WAS_LIVE)
        .scalar_subquery()
    )
    other = aliased(V)
    since = (other.entry_id == version.entry_id) & (other.number > last)
    return union_all(
        select(other.author_id).where(since, other.author_id.is_not(None)),
        select(other.submitted_by).where(since, other.submitted_by.is_not(None)),
    )


async def involved_ids(session: AsyncSession, version: WordingVersion) -> frozenset[int]:
    rows = await session.execute(involvement(version))
    return frozenset(int(r[0]) for r in rows.all() if r[0] is not None)


def _not_involved(person_id: int | None, version: WordingVersion) -> ColumnElement[bool]:
    if person_id is None:  # the system import
        return literal(True)
    return literal(person_id).not_in(involvement(version))


async def decide(
    session: AsyncSession,
    version: WordingVersion,
    *,
    position: int,
    person_id: int | None,
    target: W,
    now: datetime,
    note: str | None,
) -> int:
    """One stage's decision: ``target`` in_review (the next stage), approved or rejected —
    only if the version still awaits that stage and the person is not involved."""
    values: dict[str, Any] = {"stage_index": position + 1}
    if target is W.APPROVED:
        values |= {"approved_at": now, "decided_at": now}
    elif target is W.REJECTED:
        values |= {"decided_at": now, "note": note, "stage_index": position}
    stmt = (
        transition(V, target, W.IN_REVIEW)
        .where(V.id == version.id, V.stage_index == position, _not_involved(person_id, version))
        .values(**values)
    )
    return await apply(session, stmt)


async def supersede_live(session: AsyncSession, entry_id: int, keep: int) -> int:
    stmt = transition(V, W.SUPERSEDED, W.APPROVED).where(V.entry_id == entry_id, V.id != keep)
    return await apply(session, stmt)


async def add_approval(session: AsyncSession, **values: Any) -> None:
    session.add(WordingApproval(**values))
    await session.flush()


async def approvals(session: AsyncSession, version_id: int) -> list[WordingApproval]:
    rows = await session.scalars(
        select(WordingApproval)
        .where(WordingApproval.version_id == version_id)
        .order_by(WordingApproval.position)
    )
    return list(rows)


def _live() -> Select[WordingEntry, WordingVersion]:
    return (
        select(WordingEntry, V)
        .join(V, V.entry_id == WordingEntry.id)
        .where(V.status == W.APPROVED)
        .order_by(WordingEntry.id)
    )


async def live(
    session: AsyncSession, kind: str | None = None
) -> list[tuple[WordingEntry, WordingVersion]]:
    """Every entry with its approved (live) version."""
    stmt = _live() if kind is None else _live().where(WordingEntry.kind == kind)
    return [(e, v) for e, v in (await session.execute(stmt)).all()]


async def live_version(session: AsyncSession, entry_id: int) -> WordingVersion | None:
    return await session.scalar(select(V).where(V.entry_id == entry_id, V.status == W.APPROVED))


async def listing(
    session: AsyncSession, kind: str | None = None
) -> list[tuple[WordingEntry, WordingVersion | None, WordingVersion | None]]:
    """Every entry with its live version and its newest one (None where there is none)."""
    entries = list(
        await session.scalars(
            select(WordingEntry)
            .where(literal(True) if kind is None else WordingEntry.kind == kind)
            .order_by(WordingEntry.id)
        )
    )
    out = []
    for e in entries:
        out.append((e, await live_version(session, e.id), await newest(session, e.id)))
    return out


async def awaiting(session: AsyncSession) -> list[tuple[WordingEntry, WordingVersion]]:
    stmt = (
        select(WordingEntry, V)
        .join(V, V.entry_id == WordingEntry.id)
        .where(V.status == W.IN_REVIEW)
        .order_by(V.submitted_at)
    )
    return [(e, v) for e, v in (await session.execute(stmt)).all()]


async def guide_clock(
    session: AsyncSession, since: datetime
) -> list[tuple[WordingEntry, WordingVersion]]:
    """办事指南 versions with a live-by time submitted since ``since``, or still awaiting."""
    stmt = (
        select(WordingEntry, V)
        .join(V, V.entry_id == WordingEntry.id)
        .where(
            V.due_at.is_not(None),
            or_(V.submitted_at >= since, V.status == W.IN_REVIEW),
        )
        .order_by(V.due_at)
    )
    return [(e, v) for e, v in (await session.execute(stmt)).all()]


async def count_kind(session: AsyncSession, kind: str) -> int:
    n = await session.scalar(
        select(func.count()).select_from(WordingEntry).where(WordingEntry.kind == kind)
    )
    return int(n or 0)


async def department_ids(session: AsyncSession) -> dict[str, int]:
    """Department key → id (the chain's stages name departments by key)."""
    return {d.key: d.id for d in await session.scalars(select(Department))}
