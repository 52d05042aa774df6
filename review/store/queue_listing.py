"""The department's open and claimed review tasks for its head's queue page (whom to reassign
to is ``review.queue.reassign``'s question; this only lists)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Draft, ReviewTask, Revision
from review.states import TaskStatus as T


async def department_task_ids(session: AsyncSession, department_id: int) -> list[int]:
    """Open or claimed tasks of ``department_id`` on their draft's current revision."""
    rows = await session.scalars(
        select(ReviewTask.id)
        .join(Revision, Revision.id == ReviewTask.revision_id)
        .join(Draft, Draft.id == ReviewTask.draft_id)
        .where(
            ReviewTask.department_id == department_id,
            ReviewTask.status.in_([T.OPEN, T.CLAIMED]),
            Revision.number == Draft.current_revision,
        )
        .order_by(ReviewTask.id)
    )
    return list(rows.all())
