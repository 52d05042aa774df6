"""The sending mark: committed just before a platform call, so the database knows whether a
call may have started, and what it allows when a claim ends without an outcome.

A row whose lease ran out unmarked was never sent: it goes back to ``scheduled`` by itself
(``hand_back_expired``), as do a stopping worker's own unmarked rows (``hand_back_unsent``),
with no platform question and no person. Only marked rows are reconciled
(publications.py ``claim_expired``). Every change is guarded in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, Update, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from review.models import Publication
from review.states import PublicationStatus as P
from review.store.scheduling import announce
from review.store.transitions import apply, transition

_TABLE: Table = Publication.__table__  # type: ignore[assignment]


async def mark_sending(
    session: AsyncSession | AsyncConnection, ids: Sequence[int], *, worker: str, now: datetime
) -> set[int]:
    """Mark rows whose platform call is about to start; the ids marked. Only a row still
    ``publishing``, ours and unmarked is marked: whatever fails the guard must not be sent.
    One statement: in a transaction of the caller's, or alone on an autocommit connection."""
    if not ids:
        return set()
    t = _TABLE  # Core UPDATE: no ORM bookkeeping on the publishing hot path
    stmt = (
        update(t)
        .where(
            t.c.id.in_(list(ids)),
            t.c.status == P.PUBLISHING,
            t.c.claimed_by == worker,
            t.c.sending_at.is_(None),
        )
        .values(sending_at=now)
        .returning(t.c.id)
    )
    return set((await session.execute(stmt)).scalars().all())


def _unsent_back(now: datetime) -> Update:
    """``publishing`` but never marked → ``scheduled``, the attempt not counted (as ``release``)."""
    return (
        transition(Publication, P.SCHEDULED, P.PUBLISHING)
        .where(Publication.sending_at.is_(None))
        .values(
            claimed_by=None,
            lease_until=None,
            attempts=Publication.attempts - 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


async def hand_back_expired(session: AsyncSession, *, now: datetime) -> int:
    """Rows whose lease ran out before any call started go back to ``scheduled`` by themselves:
    no platform question, no person. Returns how many."""
    handed = await apply(session, _unsent_back(now).where(Publication.lease_until < now))
    if handed:
        await announce(session)  # due now: every replica's publisher may take them
    return handed


async def hand_back_unsent(session: AsyncSession, *, worker: str, now: datetime) -> int:
    """A stopping worker's claimed rows that no call started go back to ``scheduled`` (one
    UPDATE); marked ones stay ``publishing`` for reconciliation. Returns how many."""
    handed = await apply(session, _unsent_back(now).where(Publication.claimed_by == worker))
    if handed:
        await announce(session)  # due now: the replicas still running take them
    return handed
