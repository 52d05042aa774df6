"""The publisher worker with a *naive* claim (select, then update by id, no status guard).

Only the reliability test starts it, to show the test catches duplicates: two workers that read
the same due rows both "claim" them. The pause widens the race window to make it certain.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.publishing.worker import main
from review.models import Publication


async def naive_claim(
    session: AsyncSession, *, now: datetime, limit: int, worker: str, lease_seconds: float
) -> list[Publication]:
    ids = list(
        (
            await session.scalars(
                select(Publication.id)
                .where(Publication.status == "scheduled", Publication.due_at <= now)
                .order_by(Publication.due_at, Publication.id)
                .limit(limit)
            )
        ).all()
    )
    if not ids:
        return []
    await asyncio.sleep(0.3)
    stmt: Any = (
        update(Publication)
        .where(Publication.id.in_(ids))
        .values(
            status="publishing",
            claimed_by=worker,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=Publication.attempts + 1,
        )
        .returning(Publication)
        .execution_options(synchronize_session=False)
    )
    return list((await session.scalars(stmt)).all())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], claim=naive_claim))
