"""Every query of the review queue. Status changes are guarded in SQL and checked by rowcount.

A claim is ``UPDATE … WHERE id = :id AND status = 'open'`` (or a claim whose lease has run out);
a decision adds ``AND claimed_by = :me AND lease_until > :now`` and requires the task's revision
to still be the draft's current one. Both (and a reassignment's new holder) also require that the
person is not involved in the draft (``task_facts.not_involved``: wrote a revision, submitted it,
overrode a check) — the backstop behind ``review.eligibility``. Two reviewers racing for one task on PostgreSQL therefore
get exactly one owner, and a decision by anyone else changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Draft, Override, Person, ReviewStage, ReviewTask, Revision
from review.states import TaskStatus as T
from review.store.task_facts import not_involved
from review.store.transitions import apply, transition

LIVE = (T.OPEN, T.CLAIMED, T.WAITING)


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


def _revision_is_current() -> ColumnElement[bool]:
    """The task's revision is still its draft's current revision (an edit makes it stale)."""
    return exists(
        select(Revision.id)
        .join(Draft, Draft.id == Revision.draft_id)
        .where(Revision.id == ReviewTask.revision_id, Revision.number == Draft.current_revision)
    )


async def insert_task(session: AsyncSession, **fields: Any) -> ReviewTask:
    task = ReviewTask(status=T.OPEN, **fields)
    session.add(task)
    await session.flush()
    return task


async def get_task(session: AsyncSession, task_id: int) -> ReviewTask | None:
    """Always re-read: another transaction may have changed the row since it was cached."""
    return await session.scalar(
        select(ReviewTask).where(ReviewTask.id == task_id).execution_options(populate_existing=True)
    )


async def lock_draft(session: AsyncSession, draft_id: int) -> Draft | None:
    """Serialise decisions on one draft (``FOR UPDATE`` on PostgreSQL; SQLite serialises
    writers anyway), so the last two approvals of a multi-account draft cannot both miss
    each other."""
    return await session.scalar(
        select(Draft)
        .where(Draft.id == draft_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def tasks_of_revision(session: AsyncSession, revision_id: int) -> list[ReviewTask]:
    rows = await session.scalars(
        select(ReviewTask)
        .where(ReviewTask.revision_id == revision_id)
        .order_by(ReviewTask.account_id, ReviewTask.stage_index)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def claim(
    session: AsyncSession, task_id: int, person_id: int, *, until: datetime, now: datetime
) -> bool:
    """Open → claimed (or take over a claim whose lease ran out). True for the one winner."""
    stmt = (
        transition(ReviewTask, T.CLAIMED, T.OPEN, (T.CLAIMED, ReviewTask.lease_until < now))
        .where(ReviewTask.id == task_id, _revision_is_current(), not_involved(person_id))
        .values(claimed_by=person_id, lease_until=until, reminded_at=None)
        .execution_options(synchronize_session=False)
    )
    return await apply(session, stmt) == 1


async def renew(
    session: AsyncSession, task_id: int, person_id: int, *, until: datetime, now: datetime
) -> bool:
    """The holder opening the task again renews the lease (only while it still holds it)."""
    result = await session.execute(
        update(ReviewTask)
        .where(
            ReviewTask.id == task_id,
            ReviewTask.status == T.CLAIMED,
            ReviewTask.claimed_by == person_id,
            ReviewTask.lease_until >= now,
        )
        .values(lease_until=until, reminded_at=None)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def release(session: AsyncSession, task_id: int, person_id: int) -> bool:
    stmt = (
        transition(ReviewTask, T.OPEN, T.CLAIMED)
        .where(ReviewTask.id == task_id, ReviewTask.claimed_by == person_id)
        .values(claimed_by=None, lease_until=None, reminded_at=None)
        .execution_options(synchronize_session=False)
    )
    return await apply(session, stmt) == 1


async def decide(
    session: AsyncSession,
    task_id: int,
    person_id: int,
    target: T,
    *,
    now: datetime,
    note: str | None,
    approved_hash: str | None = None,
) -> bool:
    """Claimed by me, lease still running, revision still current → approved/rejected/…"""
    stmt = (
        transition(ReviewTask, target, T.CLAIMED)
        .where(
            ReviewTask.id == task_id,
            ReviewTask.claimed_by == person_id,
            ReviewTask.lease_until > now,
            _revision_is_current(),
            not_involved(person_id),
        )
        .values(decided_by=person_id, decided_at=now, note=note, approved_hash=approved_hash)
        .execution_options(synchronize_session=False)
    )
    return await apply(session, stmt) == 1


async def reassign(
    session: AsyncSession,
    task_id: int,
    *,
    expected: T,
    holder: int | None,
    to_id: int,
    until: datetime,
) -> bool:
    """Open/claimed (as observed) → ``reassigned`` → claimed by ``to`` with a fresh lease.

    ``reassigned`` is a passing state inside this one transaction (it is what the transition
    table allows); what persists is the new claim, and the audit event records the hand-over.
    """
    holder_guard = (
        ReviewTask.claimed_by.is_(None) if holder is None else ReviewTask.claimed_by == holder
    )
    step1 = (
        transition(ReviewTask, T.REASSIGNED, expected)
        .where(ReviewTask.id == task_id, holder_guard, not_involved(to_id))
        .values(claimed_by=to_id)
        .execution_options(synchronize_session=False)
    )
    if await apply(session, step1) != 1:
        return False
    step2 = (
        transition(ReviewTask, T.CLAIMED, T.REASSIGNED)
        .where(ReviewTask.id == task_id)
        .values(lease_until=until, reminded_at=None)
        .execution_options(synchronize_session=False)
    )
    return await apply(session, step2) == 1


async def supersede(
    session: AsyncSession, draft_id: int, statuses: Sequence[T], *, keep_revision: int | None = None
) -> list[int]:
    """Mark a draft's tasks in ``statuses`` superseded (optionally sparing one revision's)."""
    if not statuses:
        return []
    q = transition(ReviewTask, T.SUPERSEDED, *statuses).where(ReviewTask.draft_id == draft_id)
    if keep_revision is not None:
        q = q.where(ReviewTask.revision_id != keep_revision)
    result = await session.execute(
        q.values(lease_until=None)
        .returning(ReviewTask.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(int(r) for r in result.scalars().all())


async def queue_ids(
    session: AsyncSession, person: Person, *, include_head_stages: bool
) -> list[int]:
    """Open tasks of the person's department on the current revision (never a draft they are
    involved in), plus every task the person holds."""
    roles = ["reviewer", "head"] if include_head_stages else ["reviewer"]
    stage_role = (
        select(ReviewStage.role)
        .where(
            ReviewStage.account_id == ReviewTask.account_id,
            ReviewStage.position == ReviewTask.stage_index,
        )
        .scalar_subquery()
    )
    open_here = and_(
        ReviewTask.status == T.OPEN,
        ReviewTask.department_id == person.department_id,
        _revision_is_current(),
        stage_role.in_(roles),
        not_involved(person.id),
    )
    held = and_(ReviewTask.status == T.CLAIMED, ReviewTask.claimed_by == person.id)
    rows = await session.scalars(
        select(ReviewTask.id).where(or_(open_here, held)).order_by(ReviewTask.id)
    )
    return list(rows.all())


async def add_override(
    session: AsyncSession, revision_id: int, check_name: str, head_id: int, reason: str
) -> Override:
    row = Override(revision_id=revision_id, check_name=check_name, head_id=head_id, reason=reason)
    session.add(row)
    await session.flush()
    return row


async def overrides_for(session: AsyncSession, revision_id: int) -> list[Override]:
    rows = await session.scalars(
        select(Override).where(Override.revision_id == revision_id).order_by(Override.id)
    )
    return list(rows.all())
