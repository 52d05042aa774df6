"""Queries the review queue needs on publications: create them when a chain completes, cancel
the still-scheduled ones when an edited draft is re-submitted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Publication, utcnow
from review.states import PublicationStatus as P


async def publications_of(session: AsyncSession, draft_id: int) -> list[Publication]:
    rows = await session.scalars(
        select(Publication)
        .where(Publication.draft_id == draft_id)
        .order_by(Publication.account_id)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def cancel_scheduled(session: AsyncSession, draft_id: int) -> list[int]:
    """Scheduled → cancelled (guarded: one already claimed by the publisher is left alone)."""
    result = await session.execute(
        update(Publication)
        .where(Publication.draft_id == draft_id, Publication.status == P.SCHEDULED)
        .values(status=P.CANCELLED, updated_at=utcnow())
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
    return pub


async def revive_cancelled(
    session: AsyncSession, pub_id: int, *, revision_id: int, due_at: datetime, idempotency_key: str
) -> bool:
    """(draft, account) is unique, so a re-approved edit re-uses its cancelled row: new revision,
    new idempotency key, fresh counters. The cancellation itself stays in the audit log."""
    values: dict[str, Any] = {
        "status": P.SCHEDULED,
        "revision_id": revision_id,
        "due_at": due_at,
        "idempotency_key": idempotency_key,
        "attempts": 0,
        "last_error": None,
        "lease_until": None,
        "claimed_by": None,
        "remote_id": None,
        "url": None,
        "updated_at": utcnow(),
    }
    result = await session.execute(
        update(Publication)
        .where(Publication.id == pub_id, Publication.status == P.CANCELLED)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]
