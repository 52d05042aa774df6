"""Guarded changes to a schedule before it is carried out: cancel one publication, move its due
time, change the publish time a revision asks for.

Each is one ``UPDATE … WHERE status = 'scheduled'`` (and not ambiguous: a row whose last attempt
may be live is the reconciler's until checked), so a row the publisher has already claimed is
never touched; the rowcount says whether it was.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Publication, Revision, utcnow
from review.states import PublicationStatus as P
from review.store.scheduling import announce
from review.store.transitions import apply, status_in, transition


def _clear() -> ColumnElement[bool]:
    """Not flagged ambiguous (its last attempt surely did not reach the platform)."""
    return func.coalesce(Publication.receipt_extra["ambiguous"].as_string(), "") != "1"


async def cancel(session: AsyncSession, publication_id: int) -> bool:
    """scheduled → cancelled, unless the publisher claimed it first."""
    stmt = (
        transition(Publication, P.CANCELLED, P.SCHEDULED)
        .where(Publication.id == publication_id, _clear())
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return await apply(session, stmt) == 1


async def move_due(session: AsyncSession, publication_id: int, due_at: datetime) -> bool:
    """A still-scheduled, never-attempted row gets a new due time (a retry's due time is the
    retry policy's, and its first due time anchors the reconciler's search)."""
    stmt = (
        update(Publication)
        .where(
            Publication.id == publication_id,
            status_in(Publication.status, (P.SCHEDULED,)),
            Publication.attempts == 0,
            _clear(),
        )
        .values(due_at=due_at, scheduled_for=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    moved = await apply(session, stmt) == 1
    if moved:
        await announce(session)
    return moved


async def set_publish_at(session: AsyncSession, revision_id: int, when: datetime | None) -> None:
    """The publish time a revision asks for. Not part of what reviewers approve (the content
    hash leaves it out), so changing it keeps the approvals; the change is audited by the
    caller."""
    await session.execute(
        update(Revision)
        .where(Revision.id == revision_id)
        .values(publish_at=when)
        .execution_options(synchronize_session=False)
    )
