"""The queries behind the self-inspection report (read-only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import CitizenMessage, Draft, Override, Publication, ReviewTask, Revision
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


# ---- per account, as of a moment (the report's items) ----------------------------------------

PUBLIC = (P.PUBLISHED, P.RETRACTED)


async def last_publication(
    session: AsyncSession, account_id: int, as_of: datetime
) -> tuple[Publication, Revision] | None:
    """The account's newest post the bot published by ``as_of`` (retracted ones too)."""
    row = (
        await session.execute(
            select(Publication, Revision)
            .join(Revision, Revision.id == Publication.revision_id)
            .where(
                Publication.account_id == account_id,
                Publication.status.in_(PUBLIC),
                Publication.published_at <= as_of,
            )
            .order_by(Publication.published_at.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def published_between(
    session: AsyncSession, account_id: int, since: datetime, as_of: datetime
) -> list[tuple[Publication, Revision]]:
    rows = await session.execute(
        select(Publication, Revision)
        .join(Revision, Revision.id == Publication.revision_id)
        .where(
            Publication.account_id == account_id,
            Publication.status.in_(PUBLIC),
            Publication.published_at > since,
            Publication.published_at <= as_of,
        )
        .order_by(Publication.published_at)
    )
    return [(p, r) for p, r in rows.all()]


async def overridden_checks(session: AsyncSession, revision_ids: list[int]) -> dict[int, list[str]]:
    """Revision id → the gate checks a head overrode on it."""
    if not revision_ids:
        return {}
    rows = await session.execute(
        select(Override.revision_id, Override.check_name).where(
            Override.revision_id.in_(revision_ids)
        )
    )
    out: dict[int, list[str]] = {}
    for rev_id, name in rows.all():
        out.setdefault(rev_id, []).append(name)
    return out


async def retracted_between(
    session: AsyncSession, account_id: int, since: datetime, as_of: datetime
) -> list[tuple[Publication, Revision]]:
    rows = await session.execute(
        select(Publication, Revision)
        .join(Revision, Revision.id == Publication.revision_id)
        .where(
            Publication.account_id == account_id,
            Publication.retracted_at > since,
            Publication.retracted_at <= as_of,
        )
    )
    return [(p, r) for p, r in rows.all()]


async def corrected_between(
    session: AsyncSession, account_id: int, since: datetime, as_of: datetime
) -> list[tuple[Publication, Revision, Draft]]:
    """The account's publications a correction draft was opened for in the period."""
    rows = await session.execute(
        select(Publication, Revision, Draft)
        .join(Revision, Revision.id == Publication.revision_id)
        .join(Draft, Draft.corrects_publication_id == Publication.id)
        .where(
            Publication.account_id == account_id,
            Draft.created_at > since,
            Draft.created_at <= as_of,
        )
    )
    return [(p, r, d) for p, r, d in rows.all()]


async def account_status_counts(
    session: AsyncSession, account_id: int, since: datetime, as_of: datetime
) -> dict[str, list[int]]:
    """Status → publication ids due in the period (what 发布保障 reads)."""
    rows = await session.execute(
        select(Publication.status, Publication.id).where(
            Publication.account_id == account_id,
            Publication.due_at > since,
            Publication.due_at <= as_of,
        )
    )
    out: dict[str, list[int]] = {}
    for status, pub_id in rows.all():
        out.setdefault(status, []).append(pub_id)
    return out


async def account_messages(
    session: AsyncSession, account_id: int, since: datetime, as_of: datetime
) -> list[CitizenMessage]:
    """Citizens' messages (events excluded) received by ``as_of`` that matter for the period:
    received in it, or not answered before it began."""
    return list(
        await session.scalars(
            select(CitizenMessage)
            .where(
                CitizenMessage.account_id == account_id,
                CitizenMessage.event.is_(None),
                CitizenMessage.received_at <= as_of,
                or_(
                    CitizenMessage.received_at > since,
                    and_(CitizenMessage.answered_at.is_(None), CitizenMessage.status.in_(OPEN)),
                    CitizenMessage.answered_at > since,
                ),
            )
            .order_by(CitizenMessage.received_at)
        )
    )
