"""Queries behind chat commands: processed-command de-dup, and what a command acts on
(a review task, a citizen message, a publication) with the department that owns it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from review.eligibility import TaskFacts
from review.models import (
    Account,
    ChatCommand,
    CitizenMessage,
    Department,
    Person,
    Publication,
    ReviewTask,
)
from review.store.task_facts import task_facts


async def begin_command(
    session: AsyncSession, dedup_key: str, person_id: int | None, text: str
) -> ChatCommand | None:
    """Record a new command; if its key was seen before, return the earlier row instead.

    The insert runs in a savepoint so a concurrent duplicate (unique key) leaves the caller's
    transaction usable on PostgreSQL too.
    """
    existing = await session.scalar(select(ChatCommand).where(ChatCommand.dedup_key == dedup_key))
    if existing is not None:
        return existing
    try:
        async with session.begin_nested():
            session.add(ChatCommand(dedup_key=dedup_key, person_id=person_id, text=text[:2000]))
    except IntegrityError:
        return await session.scalar(select(ChatCommand).where(ChatCommand.dedup_key == dedup_key))
    return None


async def finish_command(session: AsyncSession, dedup_key: str, answer: str) -> None:
    await session.execute(
        update(ChatCommand).where(ChatCommand.dedup_key == dedup_key).values(answer=answer)
    )


async def forget_command(session: AsyncSession, dedup_key: str) -> None:
    await session.execute(delete(ChatCommand).where(ChatCommand.dedup_key == dedup_key))


@dataclass(frozen=True)
class TaskScopeRow:
    task: ReviewTask
    facts: TaskFacts
    claimant_name: str | None


async def task_scope(session: AsyncSession, task_id: int) -> TaskScopeRow | None:
    """The task, the facts the eligibility rule needs (``task_facts``, the same query the
    queue uses) and who holds it."""
    task = await session.get(ReviewTask, task_id, populate_existing=True)
    if task is None:
        return None
    claimant = await session.get(Person, task.claimed_by) if task.claimed_by else None
    return TaskScopeRow(task, await task_facts(session, task), claimant.name if claimant else None)


async def message_row(
    session: AsyncSession, message_id: int
) -> tuple[CitizenMessage, Department | None] | None:
    msg = await session.get(CitizenMessage, message_id)
    if msg is None:
        return None
    dept = await session.get(Department, msg.department_id) if msg.department_id else None
    return msg, dept


async def publication_row(
    session: AsyncSession, publication_id: int
) -> tuple[Publication, Account, Department] | None:
    pub = await session.get(Publication, publication_id)
    if pub is None:
        return None
    account = await session.get(Account, pub.account_id)
    assert account is not None
    dept = await session.get(Department, account.owner_department_id)
    assert dept is not None
    return pub, account, dept
