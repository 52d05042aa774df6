"""Who is involved in a draft, and the facts ``review.eligibility`` needs about a review task.

One query home for every surface (chat, console, API, CLI, notifier) and for the SQL backstop:
``involvement`` is the one definition of "involved" — the draft's author, the writer of any of
its revisions, whoever submitted it, whoever overrode one of its gate checks. ``involved_ids``
reads it for the pure rule; ``not_involved`` puts the same subquery into the guarded ``UPDATE``
of a claim or decision, so a change racing the check still cannot let an involved person in.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, CompoundSelect, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from review.eligibility import TaskFacts
from review.models import Department, Draft, GateRun, Override, ReviewStage, ReviewTask, Revision

#: a draft id: a value, or a column of the enclosing statement's row
DraftRef = ColumnElement[int] | InstrumentedAttribute[int] | int


def involvement(draft_id: DraftRef) -> CompoundSelect[int]:
    """The ids of everyone involved in draft ``draft_id`` (a value, or a column of an enclosing
    statement such as ``ReviewTask.draft_id`` — correlated, never joined)."""
    draft, rev = aliased(Draft), aliased(Revision)
    own = (draft, rev, GateRun, Override)
    return union_all(
        select(draft.author_id).where(draft.id == draft_id).correlate_except(*own),
        select(rev.created_by).where(rev.draft_id == draft_id).correlate_except(*own),
        select(GateRun.submitted_by)
        .join(rev, rev.id == GateRun.revision_id)
        .where(rev.draft_id == draft_id, GateRun.submitted_by.is_not(None))
        .correlate_except(*own),
        select(Override.head_id)
        .join(rev, rev.id == Override.revision_id)
        .where(rev.draft_id == draft_id)
        .correlate_except(*own),
    )


def is_involved(person_id: int, draft_id: DraftRef) -> ColumnElement[bool]:
    """SQL: ``person_id`` is involved in the draft the enclosing row points at."""
    return literal(person_id).in_(involvement(draft_id))


def not_involved(person_id: int) -> ColumnElement[bool]:
    """The guard for a ``ReviewTask`` claim or decision: the person is not involved in the
    task's draft (no column is nullable, so ``NOT IN`` cannot meet a NULL)."""
    return literal(person_id).not_in(involvement(ReviewTask.draft_id))


async def involved_ids(session: AsyncSession, draft_id: int) -> frozenset[int]:
    rows = await session.execute(involvement(draft_id))
    return frozenset(int(r[0]) for r in rows.all())


async def stage_role(session: AsyncSession, task: ReviewTask) -> str:
    """The role the task's stage needs, read from the synced chain by position; if the stage
    there is no longer the task's stage (settings changed), the stricter "head" applies."""
    stage = await session.scalar(
        select(ReviewStage).where(
            ReviewStage.account_id == task.account_id, ReviewStage.position == task.stage_index
        )
    )
    if stage is None or (stage.name, stage.department_id) != (task.stage_name, task.department_id):
        return "head"
    return stage.role


async def task_facts(session: AsyncSession, task: ReviewTask) -> TaskFacts:
    """Everything ``review.eligibility.refusal`` needs about ``task``."""
    dept = await session.get(Department, task.department_id)
    return TaskFacts(
        id=task.id,
        stage=task.stage_name,
        stage_role=await stage_role(session, task),
        department_id=task.department_id,
        department=dept.name if dept is not None else str(task.department_id),
        involved_ids=await involved_ids(session, task.draft_id),
    )
