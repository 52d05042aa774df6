"""Read scope in SQL: the grounds of ``review.visibility`` as a filter for listings, and the
facts the pure rule reads for one draft.

``readable(scope, draft_id)`` is correlated to whatever row the enclosing query lists
(``Draft.id`` for drafts, ``Publication.draft_id`` for publications), so a limit applies after
the filter and a hidden draft is simply absent. ``tests/security/test_read_scope.py`` holds the
filter and the pure rule to the same answers.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from review.models import Account, Draft, DraftTarget, Person, ReviewTask
from review.store.task_facts import DraftRef, involved_ids, is_involved
from review.visibility import DraftFacts, Ground, Scope


def readable(scope: Scope, draft_id: DraftRef) -> ColumnElement[bool]:
    """SQL: the draft ``draft_id`` points at is within ``scope``."""
    if Ground.ALL in scope.grounds:
        return true()
    dept, grounds = scope.department_id, scope.grounds
    draft = aliased(Draft)
    found: list[ColumnElement[bool]] = []
    if Ground.INVOLVED in grounds:
        found.append(is_involved(scope.person_id, draft_id))
    if Ground.AUTHOR_DEPARTMENT in grounds:
        by_colleague = (
            select(draft.id)
            .join(Person, Person.id == draft.author_id)
            .where(draft.id == draft_id, Person.department_id == dept)
        )
        found.append(exists(by_colleague.correlate_except(draft, Person)))
    if Ground.OWNER_DEPARTMENT in grounds:
        for_own_account = (
            select(DraftTarget.id)
            .join(Account, Account.id == DraftTarget.account_id)
            .where(DraftTarget.draft_id == draft_id, Account.owner_department_id == dept)
        )
        found.append(exists(for_own_account.correlate_except(DraftTarget, Account)))
    if Ground.STAGE_DEPARTMENT in grounds:
        reached_us = select(ReviewTask.id).where(
            ReviewTask.draft_id == draft_id, ReviewTask.department_id == dept
        )
        found.append(exists(reached_us.correlate_except(ReviewTask)))
    return or_(*found) if found else false()


async def draft_facts(session: AsyncSession, draft_id: int) -> DraftFacts | None:
    """What ``review.visibility`` needs about one draft; None when there is no such draft."""
    draft = await session.get(Draft, draft_id)
    if draft is None:
        return None
    author = await session.get(Person, draft.author_id)
    owners = await session.scalars(
        select(Account.owner_department_id)
        .join(DraftTarget, DraftTarget.account_id == Account.id)
        .where(DraftTarget.draft_id == draft_id)
    )
    stages = await session.scalars(
        select(ReviewTask.department_id).where(ReviewTask.draft_id == draft_id)
    )
    return DraftFacts(
        involved_ids=await involved_ids(session, draft_id),
        author_department_id=author.department_id if author is not None else None,
        owner_department_ids=frozenset(owners.all()),
        stage_department_ids=frozenset(stages.all()),
    )
