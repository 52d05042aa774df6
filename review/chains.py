"""Review chains: routing by ownership (谁开设、谁管理), and the facts for who may act on a task.

Stage 0 of every account's chain is its owner department; stages that do not apply to the
draft's kind are skipped. A task pins its department; the role a stage needs ("reviewer" or
"head" for 终审) is read from the synced chain by (account, position) — if settings changed so
that the stage there is no longer the same, the stricter "head" is required. Whether a person
may act is decided by the pure rule in ``review.eligibility`` on the facts that
``review.store.task_facts`` reads (the same query for every surface).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review import eligibility
from review.errors import Conflict, DomainError, Forbidden
from review.models import Account, Draft, Person, ReviewStage, ReviewTask, Revision, utcnow
from review.notify import notify
from review.states import TaskStatus as T
from review.store import directory as dstore
from review.store import review as rstore
from review.store import task_facts as fstore
from review.timefmt import fmt

TASK_LABELS = {
    T.OPEN: "待认领",
    T.CLAIMED: "审核中",
    T.APPROVED: "已通过",
    T.REJECTED: "已驳回",
    T.CHANGES_REQUESTED: "已退回修改",
    T.REASSIGNED: "已转派",
    T.SUPERSEDED: "已作废",
    T.WAITING: "等待前一环节",
}
STALE = "稿件已修改，请查看新版本"


async def applicable(session: AsyncSession, account_id: int, kind: str) -> list[ReviewStage]:
    return [s for s in await dstore.review_chain(session, account_id) if s.applies_to(kind)]


async def next_stage(
    session: AsyncSession, account_id: int, kind: str, after: int | None
) -> ReviewStage | None:
    """The first applicable stage after position ``after`` (None: the first one)."""
    for stage in await applicable(session, account_id, kind):
        if after is None or stage.position > after:
            return stage
    return None


async def open_stage(
    session: AsyncSession, draft: Draft, revision: Revision, account: Account, stage: ReviewStage
) -> ReviewTask:
    """Create the stage's task and tell its department a task is waiting."""
    task = await rstore.insert_task(
        session,
        draft_id=draft.id,
        revision_id=revision.id,
        account_id=account.id,
        stage_index=stage.position,
        stage_name=stage.name,
        department_id=stage.department_id,
    )
    await notify_waiting(session, task, revision.title, account.name)
    return task


async def notify_waiting(session: AsyncSession, task: ReviewTask, title: str, account: str) -> None:
    await notify(
        session,
        kind="task_waiting",
        subject=f"task:{task.id}",
        text=f"待审任务 {task.id}：稿件 {task.draft_id}「{title}」（{account}·{task.stage_name}），请认领审核",
        department_id=task.department_id,
        payload={
            "task_id": task.id,
            "draft_id": task.draft_id,
            "stage": task.stage_name,
            "role": await required_role(session, task),
        },
    )


async def required_role(session: AsyncSession, task: ReviewTask) -> str:
    return await fstore.stage_role(session, task)


async def actor(session: AsyncSession, person: Person) -> eligibility.Actor:
    dept = await dstore.department_by_id(session, person.department_id)
    return eligibility.Actor(
        id=person.id,
        name=person.name,
        department_id=person.department_id,
        department=dept.name if dept else "",
        roles=frozenset(person.roles.split()),
        active=person.active,
    )


async def eligibility_refusal(
    session: AsyncSession,
    task: ReviewTask,
    person: Person,
    action: eligibility.Action = "review",
) -> eligibility.Refusal | None:
    """The shared rule (``review.eligibility``) on the facts read by the one store query."""
    facts = await fstore.task_facts(session, task)
    return eligibility.refusal(await actor(session, person), facts, action)


async def ensure_eligible(
    session: AsyncSession,
    task: ReviewTask,
    person: Person,
    action: eligibility.Action = "review",
) -> None:
    """Raise ``Forbidden`` with the shared rule's reason (``review.eligibility``)."""
    found = await eligibility_refusal(session, task, person, action)
    if found is not None:
        raise Forbidden(found.message)


async def person_name(session: AsyncSession, person_id: int | None) -> str:
    if person_id is None:
        return "—"
    person = await dstore.person_by_id(session, person_id)
    return person.name if person else f"#{person_id}"


async def refusal(
    session: AsyncSession,
    task: ReviewTask,
    person: Person,
    *,
    deciding: bool,
    now: datetime | None = None,
) -> DomainError:
    """Why ``person`` cannot act on ``task`` as it is now (re-read from the database)."""
    status = T(task.status)
    now = now or utcnow()
    if status == T.SUPERSEDED:
        return Conflict(f"任务 {task.id} 已作废：{STALE}")
    if status in (T.APPROVED, T.REJECTED, T.CHANGES_REQUESTED):
        return Conflict(f"任务 {task.id} 已处理（{TASK_LABELS[status]}）")
    if status == T.CLAIMED and task.claimed_by != person.id:
        if task.lease_until is not None and task.lease_until < now and not deciding:
            return Conflict(f"任务 {task.id} 状态已变化，请刷新后再试")
        holder = await person_name(session, task.claimed_by)
        if deciding:
            return Forbidden(f"任务 {task.id} 已由 {holder} 认领，只有认领人可以处理")
        return Conflict(f"任务 {task.id} 已由 {holder} 认领")
    found = await eligibility_refusal(session, task, person)
    if found is not None:  # e.g. the SQL backstop saw an override or a submission land first
        return Forbidden(found.message)
    if status == T.CLAIMED and task.lease_until is not None and task.lease_until <= now:
        return Conflict(f"你对任务 {task.id} 的认领已于 {fmt(task.lease_until)} 到期，请重新认领")
    if status == T.OPEN and deciding:
        return Conflict(f"任务 {task.id} 尚未认领，请先认领")
    return Conflict(f"任务 {task.id}：{STALE}")
