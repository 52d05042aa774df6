"""The review queue's clock: claims whose lease ran out, and claims about to run out.

Guarded like every other status change: a sweep on two replicas at once expires each claim once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import ReviewTask
from review.states import TaskStatus as T
from review.store.transitions import apply, transition


async def expired_claims(
    session: AsyncSession, now: datetime, limit: int = 500
) -> list[ReviewTask]:
    rows = await session.scalars(
        select(ReviewTask)
        .where(ReviewTask.status == T.CLAIMED, ReviewTask.lease_until < now)
        .order_by(ReviewTask.id)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def expire_one(session: AsyncSession, task_id: int, holder: int, now: datetime) -> bool:
    stmt = (
        transition(ReviewTask, T.OPEN, T.CLAIMED)
        .where(
            ReviewTask.id == task_id,
            ReviewTask.claimed_by == holder,
            ReviewTask.lease_until < now,
        )
        .values(claimed_by=None, lease_until=None, reminded_at=None)
        .execution_options(synchronize_session=False)
    )
    return await apply(session, stmt) == 1


async def expiring_claims(
    session: AsyncSession, now: datetime, until: datetime, limit: int = 500
) -> list[ReviewTask]:
    rows = await session.scalars(
        select(ReviewTask)
        .where(
            ReviewTask.status == T.CLAIMED,
            ReviewTask.reminded_at.is_(None),
            ReviewTask.lease_until >= now,
            ReviewTask.lease_until <= until,
        )
        .order_by(ReviewTask.id)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def mark_reminded(session: AsyncSession, task_id: int, holder: int, now: datetime) -> bool:
    """Once per claim: a new claim clears ``reminded_at``."""
    result = await session.execute(
        update(ReviewTask)
        .where(
            ReviewTask.id == task_id,
            ReviewTask.status == T.CLAIMED,
            ReviewTask.claimed_by == holder,
            ReviewTask.reminded_at.is_(None),
        )
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]
