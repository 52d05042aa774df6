"""Queries the review queue needs on publications: create them when a chain completes (reviving
a cancelled or failed row), cancel the still-scheduled ones when an edited draft is re-submitted.

Whatever makes a row ``scheduled`` calls ``announce`` in the same transaction: on PostgreSQL the
publishers LISTEN on ``CHANNEL`` (``bot/publishing/wakeup.py``) and wake when it commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Publication, utcnow
from review.states import PublicationStatus as P
from review.store.transitions import apply, transition

#: the NOTIFY channel of "a publication was scheduled"; channels are database-wide, so the
#: payload names the schema (replicas share one; tests and benchmarks each have their own)
CHANNEL = "newmedia_publications"


async def announce(session: AsyncSession) -> None:
    """Wake every replica's publisher when this transaction commits (PostgreSQL delivers a
    NOTIFY only on commit, and one per transaction however often it is sent). SQLite has no
    listeners: the publisher's fallback poll (``tick_seconds``) finds the row there."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_notify(CHANNEL, func.current_schema())))


async def publications_of(session: AsyncSession, draft_id: int) -> list[Publication]:
    rows = await session.scalars(
        select(Publication)
        .where(Publication.draft_id == draft_id)
        .order_by(Publication.account_id)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def cancel_scheduled(session: AsyncSession, draft_id: int) -> list[int]:
    """Scheduled → cancelled (guarded: one already claimed by the publisher is left alone, and
    so is one whose last attempt may be live - the ambiguous flag - until it has been checked)."""
    unclear = func.coalesce(Publication.receipt_extra["ambiguous"].as_string(), "") == "1"
    result = await session.execute(
        transition(Publication, P.CANCELLED, P.SCHEDULED)
        .where(Publication.draft_id == draft_id, ~unclear)
        .values(updated_at=utcnow())
        .returning(Publication.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(int(r) for r in result.scalars().all())


async def insert_publication(
    session: AsyncSession,
    *,
    draft_id: int,
    revision_id: int,
    account_id: int,
    due_at: datetime,
    idempotency_key: str,
) -> Publication:
    pub = Publication(
        draft_id=draft_id,
        revision_id=revision_id,
        account_id=account_id,
        status=P.SCHEDULED,
        due_at=due_at,
        idempotency_key=idempotency_key,
    )
    session.add(pub)
    await session.flush()
    await announce(session)
    return pub


#: rows an approved edit may take over: nothing of theirs is (or may be) on the platform
REVIVABLE = (P.CANCELLED, P.FAILED)


async def revive_cancelled(
    session: AsyncSession, pub_id: int, *, revision_id: int, due_at: datetime, idempotency_key: str
) -> bool:
    """(draft, account) is unique, so a re-approved edit re-uses its cancelled or failed row:
    new revision, new idempotency key, fresh counters, and no receipt of the old attempt (its
    ambiguous flag would make the publisher look for the old post instead of sending the new).
    The cancellation or failure itself stays in the audit log."""
    values: dict[str, Any] = {
        "revision_id": revision_id,
        "due_at": due_at,
        "scheduled_for": None,
        "idempotency_key": idempotency_key,
        "attempts": 0,
        "last_error": None,
        "lease_until": None,
        "claimed_by": None,
        "remote_id": None,
        "url": None,
        "receipt_extra": {},
        "late_seconds": None,
        "updated_at": utcnow(),
    }
    stmt = (
        transition(Publication, P.SCHEDULED, *REVIVABLE)
        .where(Publication.id == pub_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    revived = await apply(session, stmt) == 1
    if revived:
        await announce(session)
    return revived
