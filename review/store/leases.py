"""Leases in the database: take or renew one in a single guarded upsert, release it.

``INSERT … ON CONFLICT (name) DO UPDATE … WHERE leases.expires_at < :now OR leases.holder =
:me RETURNING holder`` — the same statement on SQLite and PostgreSQL. A row comes back only when
the insert or the update happened, so the caller learns in one round trip whether it holds the
lease; two replicas racing for one name serialise on its row and the loser's ``WHERE`` fails.
The rule it applies is ``review.leases.may_take``. Call it in a short transaction of its own,
never across a platform call.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from review import leases as rule
from review.models import Lease as LeaseRow


async def acquire(
    session: AsyncSession, name: str, me: str, *, now: datetime, period: float
) -> bool:
    """Take or renew ``name`` for ``me`` until ``now`` + the lease's length; whether I hold it."""
    lease = rule.taken(name, me, now, period)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(LeaseRow)
        .values(name=name, holder=me, expires_at=lease.expires_at, updated_at=now)
        .on_conflict_do_update(
            index_elements=[LeaseRow.name],
            set_={"holder": me, "expires_at": lease.expires_at, "updated_at": now},
            where=or_(LeaseRow.expires_at < now, LeaseRow.holder == me),
        )
        .returning(LeaseRow.holder)
    )
    return (await session.execute(stmt)).scalar_one_or_none() == me


async def acquire_all(
    session: AsyncSession, names: Iterable[str], me: str, *, now: datetime, period: float
) -> set[str]:
    """The names of ``names`` I hold now; taken in name order, so two replicas never wait on
    each other's rows in opposite orders (no deadlock on PostgreSQL)."""
    held: set[str] = set()
    for name in sorted(set(names)):
        if await acquire(session, name, me, now=now, period=period):
            held.add(name)
    return held


async def release(session: AsyncSession, names: Iterable[str], me: str) -> None:
    """Give up ``names`` if I still hold them (a stop hands them over at once, not at expiry)."""
    wanted = sorted(set(names))
    if wanted:
        await session.execute(
            delete(LeaseRow).where(LeaseRow.name.in_(wanted), LeaseRow.holder == me)
        )


async def current(session: AsyncSession, name: str) -> rule.Lease | None:
    """The lease as stored (held or run out), for tests and diagnosis."""
    row = await session.scalar(select(LeaseRow).where(LeaseRow.name == name))
    return None if row is None else rule.Lease(row.name, row.holder, row.expires_at)
