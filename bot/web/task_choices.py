"""Whom a head may hand each task to, for the reassign forms of the queue and draft pages
(whether the head may, and whether the person is eligible, is ``queue.reassign``'s answer)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Person
from review.queue_views import TaskView
from review.store import directory
from review.store import review as rstore


async def reassign_choices(
    session: AsyncSession, person: Person, tasks: list[TaskView]
) -> dict[int, list[Person]]:
    """For a head: the reviewers and heads of each open or claimed task's department (whether
    the head may reassign it, and to whom, is ``queue.reassign``'s answer)."""
    if not person.has_role("head"):
        return {}
    out: dict[int, list[Person]] = {}
    for t in tasks:
        if t.status not in ("open", "claimed") or not t.current:
            continue
        row = await rstore.get_task(session, t.id)
        if row is None or row.department_id != person.department_id:
            continue
        people = await directory.people_in(session, row.department_id)
        out[t.id] = [p for p in people if p.has_role("reviewer") or p.has_role("head")]
    return out
