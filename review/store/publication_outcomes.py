"""Recording publish outcomes: the guarded status change after a platform call, one or many.

A row is updated only while it is in the status the caller expects and, for ``publishing``,
still claimed by this worker: a reconciler that took over an expired lease wins. Many outcomes
are recorded in one transaction with one locking SELECT and one executemany per shape of
update instead of one statement per row (the publishing hot path).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Publication
from review.publishing.rules import Outcome
from review.states import PublicationStatus as P
from review.store.transitions import status_in, transition


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


_TABLE: Table = Publication.__table__  # type: ignore[assignment]


async def record(
    session: AsyncSession,
    publication_id: int,
    *,
    worker: str,
    outcome: Outcome,
    now: datetime,
    late_seconds: float | None = None,
    expected: P = P.PUBLISHING,
) -> bool:
    """Store the outcome of our attempt; false when the row is no longer ours (taken over)."""
    [ok] = await record_many(
        session,
        [OutcomeRow(publication_id, outcome, late_seconds, expected)],
        worker=worker,
        now=now,
    )
    return ok


@dataclass(frozen=True)
class OutcomeRow:
    """One outcome for ``record_many``."""

    publication_id: int
    outcome: Outcome
    late_seconds: float | None = None
    expected: P = P.PUBLISHING


def _values(row: OutcomeRow, now: datetime) -> dict[str, Any]:
    """Every column the outcome sets but its status (the transition sets that)."""
    outcome = row.outcome
    values: dict[str, Any] = {"last_error": outcome.error, "updated_at": now}
    if outcome.remote_id is not None:
        values["remote_id"] = outcome.remote_id
    if outcome.url is not None:
        values["url"] = outcome.url
    if outcome.extra:
        values["receipt_extra"] = outcome.extra
    if outcome.status is P.PUBLISHED:
        values["published_at"] = now
    if row.late_seconds is not None:
        values["late_seconds"] = row.late_seconds
    if outcome.status is P.SCHEDULED:
        values["due_at"] = outcome.retry_at or now
        values["claimed_by"] = None
        values["sending_at"] = None  # the next attempt starts unmarked
    if outcome.status is not P.PUBLISHING:
        values["lease_until"] = None
    return values


async def _still_ours(session: AsyncSession, rows: Sequence[OutcomeRow], worker: str) -> set[int]:
    """The ids still in their expected status (and, for ``publishing``, still claimed by
    ``worker``), locked until commit: ``FOR UPDATE`` on PostgreSQL; on SQLite the transaction
    already holds the database's write lock (BEGIN IMMEDIATE)."""
    t = _TABLE
    lock = session.get_bind().dialect.name == "postgresql"
    ours: set[int] = set()
    for expected in {r.expected for r in rows}:
        ids = sorted({r.publication_id for r in rows if r.expected is expected})
        q = select(t.c.id).where(t.c.id.in_(ids), t.c.status == expected).order_by(t.c.id)
        if expected is P.PUBLISHING:
            q = q.where(t.c.claimed_by == worker)
        ours.update((await session.scalars(q.with_for_update() if lock else q)).all())
    return ours


async def record_many(
    session: AsyncSession, rows: Sequence[OutcomeRow], *, worker: str, now: datetime
) -> list[bool]:
    """Store several outcomes in the caller's transaction; per row, false when it is no longer
    ours. The rows still ours are found and locked first, then updated with one executemany per
    shape of update, each statement still guarded by status (and ``claimed_by``) in SQL."""
    t = _TABLE
    ours = await _still_ours(session, rows, worker)
    groups: dict[tuple[P, P, tuple[str, ...]], list[dict[str, Any]]] = {}
    seen: set[int] = set()
    for row in rows:
        if row.publication_id not in ours or row.publication_id in seen:
            continue
        seen.add(row.publication_id)
        values = _values(row, now)
        shape = (row.expected, row.outcome.status, tuple(sorted(values)))
        groups.setdefault(shape, []).append(
            {"b_id": row.publication_id} | {f"v_{k}": v for k, v in values.items()}
        )
    statements = []
    for (expected, status, columns), params in groups.items():
        # Core UPDATE: no ORM bookkeeping on the publishing hot path
        stmt = transition(t, status, expected).where(t.c.id == bindparam("b_id"))
        if expected is P.PUBLISHING:
            stmt = stmt.where(t.c.claimed_by == worker)
        sets: dict[str, Any] = {c: bindparam(f"v_{c}", type_=t.c[c].type) for c in columns}
        if status is P.SCHEDULED:
            sets["scheduled_for"] = func.coalesce(t.c.scheduled_for, t.c.due_at)
        statements.append((stmt.values(sets), params))
    sane = session.get_bind().dialect.supports_sane_multi_rowcount
    for stmt, params in statements:  # built (and each transition checked) before any update
        result = await session.execute(stmt, params)
        if (sane or len(params) == 1) and _rowcount(result) != len(params):
            raise RuntimeError("publication rows changed while locked")  # the batch rolls back
    # a publication listed twice is recorded once: only its first outcome counts
    first: dict[int, int] = {}
    for index, row in enumerate(rows):
        first.setdefault(row.publication_id, index)
    return [r.publication_id in seen and first[r.publication_id] == i for i, r in enumerate(rows)]


async def record_late(
    session: AsyncSession,
    publication_id: int,
    *,
    worker: str,
    attempts: int,
    outcome: Outcome,
    now: datetime,
) -> P | None:
    """A platform receipt that came back after a reconciler took our row over: store it anyway.

    Guarded on the same attempt (``attempts`` unchanged, so no new claim came in between) and on
    the row being ``needs_check`` - the reconciler could not tell - or still ``publishing`` under
    the reconciler's claim. The receipt's id, link and extra are kept; if the platform says the
    post is live (or accepted and processing) the row follows it, since the platform told us.
    Returns the row's status afterwards, or None when nothing matched."""
    t = _TABLE
    values: dict[str, Any] = {"updated_at": now}
    if outcome.remote_id is not None:
        values["remote_id"] = outcome.remote_id
    if outcome.url is not None:
        values["url"] = outcome.url
    if outcome.extra:
        values["receipt_extra"] = outcome.extra
    sources = (P.NEEDS_CHECK, (P.PUBLISHING, t.c.claimed_by != worker))
    if outcome.status in (P.PUBLISHED, P.PENDING):
        values.update(lease_until=None, last_error=None)
        if outcome.status is P.PUBLISHED:
            values["published_at"] = now
        moved = transition(t, outcome.status, *sources)
    else:  # the receipt only: the status stays what the reconciler made it
        moved = update(t).where(status_in(t.c.status, sources))
    stmt = (
        moved.where(t.c.id == publication_id, t.c.attempts == attempts)
        .values(values)
        .returning(t.c.status)
    )
    status = (await session.execute(stmt)).scalar_one_or_none()
    return None if status is None else P(status)
