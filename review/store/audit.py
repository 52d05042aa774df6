"""Queries for the append-only, hash-chained audit log (its rules: review/audit_chain.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from review.audit_chain import GENESIS, Break, ChainWalk, event_hash, summary
from review.models import AuditEvent, utcnow

_TABLE: Table = AuditEvent.__table__  # type: ignore[assignment]
_PG_AUDIT_LOCK = 7_301_001  # arbitrary constant: the audit chain's advisory lock


@dataclass(frozen=True)
class NewEvent:
    """One event for ``append_many``: what happened to which subject, by whom."""

    actor: str
    action: str
    subject_type: str
    subject_id: str | int
    detail: dict[str, Any] = field(default_factory=dict)


async def append(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str | int,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction (atomic with the change it records).

    On PostgreSQL a transaction-scoped advisory lock serialises writers so the chain never
    forks; on SQLite the write transaction (BEGIN IMMEDIATE) already does.
    """
    seq, prev = await _head(session)
    [row] = _chain(seq, prev, [NewEvent(actor, action, subject_type, subject_id, detail or {})])
    event = AuditEvent(**row)
    session.add(event)
    await session.flush()
    return event


async def append_many(session: AsyncSession, events: Sequence[NewEvent]) -> list[dict[str, Any]]:
    """Append several events in order, taking the chain's lock and reading its head once.

    Same guarantees as ``append`` (inside the caller's transaction, one unbroken chain); a batch
    of outcomes recorded in one transaction costs one lock and one multi-row insert instead of
    N of each, with no ORM instance per event (the publishing hot path). Returns the rows."""
    if not events:
        return []
    seq, prev = await _head(session)
    rows = _chain(seq, prev, events)
    await session.execute(insert(_TABLE), rows)
    return rows


async def _head(session: AsyncSession) -> tuple[int, str]:
    """Lock the chain (PostgreSQL) and return the next seq and the hash to chain from."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_AUDIT_LOCK})
    await session.flush()  # an event added but not yet flushed must be seen as the head
    last = (
        await session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        )
    ).first()
    return (last[0] + 1, last[1]) if last else (1, GENESIS)


def _chain(seq: int, prev: str, events: Sequence[NewEvent]) -> list[dict[str, Any]]:
    """The events as rows of the chain from ``seq`` after the hash ``prev``."""
    out: list[dict[str, Any]] = []
    for new in events:
        at = utcnow()
        sid = str(new.subject_id)
        digest = event_hash(prev, seq, at, new.actor, new.action, new.subject_type, sid, new.detail)
        out.append(
            {
                "seq": seq,
                "at": at,
                "actor": new.actor,
                "action": new.action,
                "subject_type": new.subject_type,
                "subject_id": sid,
                "detail": new.detail,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        seq, prev = seq + 1, digest
    return out


async def iter_events(session: AsyncSession, batch: int = 1000) -> AsyncIterator[AuditEvent]:
    after = 0
    while True:
        rows = (
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.seq > after)
                .order_by(AuditEvent.seq)
                .limit(batch)
            )
        ).all()
        if not rows:
            return
        for row in rows:
            yield row
        after = rows[-1].seq


async def breaks(session: AsyncSession) -> tuple[int, list[Break]]:
    """Walk the whole chain; return (events checked, every break, in ``seq`` order)."""
    walk = ChainWalk()
    async for ev in iter_events(session):
        walk.feed(ev)
    return walk.checked, walk.breaks


async def verify(session: AsyncSession) -> tuple[int, str | None]:
    """(events checked, None when intact or else one line naming every break, for staff)."""
    checked, found = await breaks(session)
    return checked, summary(checked, found) if found else None


async def recent(
    session: AsyncSession,
    *,
    limit: int = 50,
    subject: str | None = None,
    action: str | None = None,
) -> list[AuditEvent]:
    q = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
    if subject:
        stype, _, sid = subject.partition(":")
        q = q.where(AuditEvent.subject_type == stype)
        if sid:
            q = q.where(AuditEvent.subject_id == sid)
    if action:
        q = q.where(AuditEvent.action == action)
    return list((await session.scalars(q)).all())


async def count(session: AsyncSession) -> int:
    return int((await session.scalar(select(func.count()).select_from(AuditEvent))) or 0)
