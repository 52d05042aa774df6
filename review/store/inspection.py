"""The queries behind the self-inspection report (read-only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import CitizenMessage, Override, Publication, ReviewTask, Revision
from review.states import MessageStatus as M
from review.states import PublicationStatus as P

OPEN = (M.NEW, M.ASSIGNED, M.OVERDUE)


async def publication_counts(session: AsyncSession, since: datetime) -> dict[tuple[int, str], int]:
    """(account id, status) → publications due in the period."""
    rows = await session.execute(
        select(Publication.account_id, Publication.status, func.count())
        .where(Publication.due_at >= since)
        .group_by(Publication.account_id, Publication.status)
    )
    return {(acc, status): int(n) for acc, status, n in rows.all()}


async def published_since(
    session: AsyncSession, since: datetime
) -> list[tuple[Publication, Revision]]:
    rows = await session.execute(
        select(Publication, Revision)
        .join(Revision, Revision.id == Publication.revision_id)
        .where(
            Publication.status.in_((P.PUBLISHED, P.RETRACTED)),
            Publication.published_at >= since,
        )
    )
    return [(p, r) for p, r in rows.all()]


async def approvals(session: AsyncSession, revision_id: int, account_id: int) -> dict[int, str]:
    """Stage index → the content hash it approved, for one revision on one account."""
    rows = await session.execute(
        select(ReviewTask.stage_index, ReviewTask.approved_hash).where(
            ReviewTask.revision_id == revision_id,
            ReviewTask.account_id == account_id,
            ReviewTask.status == "approved",
        )
    )
    return {idx: h for idx, h in rows.all() if h}


async def message_stats(session: AsyncSession, since: datetime, now: datetime) -> dict[str, int]:
    """Citizen messages (events excluded) received in the period, by how they were handled."""
    base = (
        select(func.count())
        .select_from(CitizenMessage)
        .where(CitizenMessage.received_at >= since, CitizenMessage.event.is_(None))
    )
    total = await session.scalar(base)
    answered = await session.scalar(base.where(CitizenMessage.status.in_((M.ANSWERED, M.CLOSED))))
    open_overdue = await session.scalar(
        base.where(CitizenMessage.status.in_(OPEN), CitizenMessage.deadline_at < now)
    )
    return {
        "total": int(total or 0),
        "answered": int(answered or 0),
        "open_overdue": int(open_overdue or 0),
    }


async def oldest_overdue(session: AsyncSession, now: datetime) -> datetime | None:
    """The earliest deadline among messages still unanswered past it (any period)."""
    return await session.scalar(
        select(func.min(CitizenMessage.deadline_at)).where(
            CitizenMessage.status.in_(OPEN), CitizenMessage.deadline_at < now
        )
    )


async def override_count(session: AsyncSession, since: datetime) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(Override).where(Override.created_at >= since)
        )
        or 0
    )
