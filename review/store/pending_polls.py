"""The poller's two queries: pending rows due to be asked about, and "ask again later"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Publication
from review.states import PublicationStatus as P
from review.store.transitions import apply


async def due(session: AsyncSession, *, now: datetime, limit: int) -> list[Publication]:
    """Pending rows whose next check has come (never asked: at once), longest pending first."""
    q = (
        select(Publication)
        .where(
            Publication.status == P.PENDING,
            or_(Publication.next_check_at.is_(None), Publication.next_check_at <= now),
        )
        .order_by(Publication.updated_at)
        .limit(limit)
    )
    return list((await session.scalars(q)).all())


async def ask_later(
    session: AsyncSession, publication_id: int, *, at: datetime, error: str | None
) -> bool:
    """Still pending: when to ask next, and why the last poll failed (None: it answered).

    ``updated_at`` is kept as it was: it says since when the row is pending, which both the
    backoff and the give-up measure from. Guarded on the status (an event may have settled it)."""
    stmt = (
        update(Publication)
        .where(Publication.id == publication_id, Publication.status == P.PENDING)
        .values(next_check_at=at, last_error=error, updated_at=Publication.updated_at)
        .execution_options(synchronize_session=False)
    )
    return bool(await apply(session, stmt))
