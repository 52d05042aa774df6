"""Reads for the weekly digest (``review.digest``): one department's waiting review tasks,
overdue messages, publications that went wrong or late, and reply windows about to close."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import (
    Account,
    CitizenMessage,
    Department,
    Notification,
    Publication,
    ReviewTask,
    Revision,
)
from review.publishing.rules import LATE_NOTICE_SECONDS
from review.states import PublicationStatus as P
from review.states import TaskStatus as T
from review.store.inbox_windows import UNANSWERED

#: tasks someone of the department must act on (a WAITING stage is not theirs yet)
WAITING_TASKS = (T.OPEN, T.CLAIMED, T.REASSIGNED)
#: outcomes staff must look at, whenever they happened
UNSETTLED = (P.NEEDS_CHECK,)
#: outcomes of the past week that failed (a platform refusal is recorded as failed)
FAILED = (P.FAILED,)


async def waiting_tasks(
    session: AsyncSession, department_id: int
) -> list[tuple[ReviewTask, Revision]]:
    q = (
        select(ReviewTask, Revision)
        .join(Revision, Revision.id == ReviewTask.revision_id)
        .where(
            ReviewTask.department_id == department_id,
            ReviewTask.status.in_([str(s) for s in WAITING_TASKS]),
        )
        .order_by(ReviewTask.created_at, ReviewTask.id)
    )
    return [(t, r) for t, r in (await session.execute(q)).all()]


async def overdue_messages(
    session: AsyncSession, department_id: int, now: datetime
) -> list[CitizenMessage]:
    q = (
        select(CitizenMessage)
        .where(
            CitizenMessage.department_id == department_id,
            CitizenMessage.status.in_(UNANSWERED),
            CitizenMessage.deadline_at < now,
        )
        .order_by(CitizenMessage.deadline_at, CitizenMessage.id)
    )
    return list((await session.scalars(q)).all())


async def closing_windows(
    session: AsyncSession, department_id: int, now: datetime, until: datetime
) -> list[CitizenMessage]:
    q = (
        select(CitizenMessage)
        .where(
            CitizenMessage.department_id == department_id,
            CitizenMessage.status.in_(UNANSWERED),
            CitizenMessage.processed.is_(True),
            CitizenMessage.reply_window_closes_at > now,
            CitizenMessage.reply_window_closes_at <= until,
        )
        .order_by(CitizenMessage.reply_window_closes_at, CitizenMessage.id)
    )
    return list((await session.scalars(q)).all())


async def troubled_publications(
    session: AsyncSession, department_id: int, since: datetime
) -> list[tuple[Publication, Account, Revision]]:
    """The department's accounts' posts waiting for a person (needs_check), failed or refused
    since ``since``, or published more than a minute late since then (the late notice's rule)."""
    q = (
        select(Publication, Account, Revision)
        .join(Account, Account.id == Publication.account_id)
        .join(Revision, Revision.id == Publication.revision_id)
        .where(
            Account.owner_department_id == department_id,
            or_(
                Publication.status.in_([str(s) for s in UNSETTLED]),
                and_(
                    Publication.status.in_([str(s) for s in FAILED]),
                    Publication.updated_at >= since,
                ),
                and_(
                    Publication.status == str(P.PUBLISHED),
                    Publication.published_at >= since,
                    Publication.late_seconds > LATE_NOTICE_SECONDS,
                ),
            ),
        )
        .order_by(Publication.due_at, Publication.id)
    )
    return [(p, a, r) for p, a, r in (await session.execute(q)).all()]


async def owned_accounts(session: AsyncSession, department_id: int) -> list[Account]:
    q = select(Account).where(Account.owner_department_id == department_id).order_by(Account.id)
    return list((await session.scalars(q)).all())


async def all_departments(session: AsyncSession) -> list[Department]:
    return list((await session.scalars(select(Department).order_by(Department.id))).all())


async def stored_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    """Which of these notification dedup keys are stored already (the week's digests sent)."""
    if not keys:
        return set()
    q = select(Notification.dedup_key).where(Notification.dedup_key.in_(keys))
    return {k for k in (await session.scalars(q)).all() if k is not None}
