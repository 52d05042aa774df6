"""The review queue: "whoever opens it manages it".

A reviewer of the right department who opens a task claims it with a lease; only the claimant
approves, rejects or sends it back; the claimant may release it; an expired lease returns it
to the queue; the department head may reassign. Every function takes the caller's session and
never commits. This module is the public face: submission and decisions live beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import PlatformLimits
from review import chains, drafts
from review.decisions import (
    DEFAULT_LEASE,
    ApproveResult,
    approve,
    load,
    reject,
    request_changes,
)
from review.errors import Conflict, NotFound
from review.models import Draft, Person, ReviewTask, Revision, utcnow
from review.notify import notify
from review.queue_views import TaskView, task_view, task_views
from review.states import DraftStatus
from review.states import TaskStatus as T
from review.store import audit
from review.store import directory as dirstore
from review.store import drafts as dstore
from review.store import review as rstore
from review.store import review_leases as lstore
from review.submission import SubmitResult, override, submit
from review.timefmt import fmt

__all__ = [
    "DEFAULT_LEASE",
    "ApproveResult",
    "SubmitResult",
    "TaskView",
    "approve",
    "claim",
    "expire_leases",
    "override",
    "queue_for",
    "reassign",
    "reject",
    "release",
    "request_changes",
    "submit",
    "task_view",
    "task_views",
    "warn_expiring",
]


async def _task(session: AsyncSession, task_id: int) -> ReviewTask:
    task = await rstore.get_task(session, task_id)
    if task is None:
        raise NotFound(f"任务 {task_id} 不存在")
    return task


async def queue_for(session: AsyncSession, person: Person) -> list[TaskView]:
    """Open tasks of the person's department whose stage role the person has (never their own
    drafts, only current revisions), plus the tasks the person holds."""
    if not person.active:
        return []
    ids = await rstore.queue_ids(session, person, include_head_stages=person.has_role("head"))
    if not (person.has_role("reviewer") or person.has_role("head")):
        held = [t for t in await task_views(session, ids) if t.holder_id == person.id]
        return held
    return await task_views(session, ids)


async def claim(
    session: AsyncSession,
    task_id: int,
    person: Person,
    *,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> ReviewTask:
    """Open the task = claim it. The holder opening it again renews the lease."""
    now = now or utcnow()
    task = await _task(session, task_id)
    revision = await dstore.revision_by_id(session, task.revision_id)
    assert revision is not None
    await chains.ensure_eligible(session, task, person)
    lease_live = task.lease_until is not None and task.lease_until >= now
    if task.status == T.CLAIMED and task.claimed_by != person.id and lease_live:
        raise await chains.refusal(session, task, person, deciding=False, now=now)  # fast path
    until = now + lease
    if task.status == T.CLAIMED and task.claimed_by == person.id and lease_live:
        if not await rstore.renew(session, task.id, person.id, until=until, now=now):
            raise await chains.refusal(
                session, await _task(session, task_id), person, deciding=False, now=now
            )
        renewed = True
        previous = None
    else:
        if task.status != T.OPEN and not (task.status == T.CLAIMED and not lease_live):
            raise await chains.refusal(session, task, person, deciding=False, now=now)
        previous = task.claimed_by if task.status == T.CLAIMED else None
        if not await rstore.claim(session, task.id, person.id, until=until, now=now):
            raise await chains.refusal(
                session, await _task(session, task_id), person, deciding=False, now=now
            )
        renewed = False
    await audit.append(
        session,
        actor=person.key,
        action="task.claim",
        subject_type="task",
        subject_id=task.id,
        detail={
            "draft": task.draft_id,
            "revision": revision.number,
            "stage": task.stage_name,
            "lease_until": until.isoformat(),
            "renewed": renewed,
            "took_over_from_person_id": previous,
        },
    )
    return await _task(session, task_id)


async def release(
    session: AsyncSession, task_id: int, person: Person, *, now: datetime | None = None
) -> ReviewTask:
    """The claimant gives the task back to the department's queue."""
    task = await _task(session, task_id)
    if task.status != T.CLAIMED or task.claimed_by != person.id:
        raise await chains.refusal(session, task, person, deciding=True, now=now)
    if not await rstore.release(session, task.id, person.id):
        raise await chains.refusal(
            session, await _task(session, task_id), person, deciding=True, now=now
        )
    revision = await dstore.revision_by_id(session, task.revision_id)
    account = await _account_name(session, task.account_id)
    await chains.notify_waiting(session, task, revision.title if revision else "", account)
    await audit.append(
        session,
        actor=person.key,
        action="task.release",
        subject_type="task",
        subject_id=task.id,
        detail={"draft": task.draft_id, "stage": task.stage_name},
    )
    return await _task(session, task_id)


async def _account_name(session: AsyncSession, account_id: int) -> str:
    account = await dirstore.account_by_id(session, account_id)
    return account.name if account else ""


async def expire_leases(session: AsyncSession, now: datetime | None = None) -> list[int]:
    """Claims whose lease ran out go back to the department's queue (audited, notified)."""
    now = now or utcnow()
    expired: list[int] = []
    for task in await lstore.expired_claims(session, now):
        holder = task.claimed_by
        if holder is None or not await lstore.expire_one(session, task.id, holder, now):
            continue
        expired.append(task.id)
        revision = await dstore.revision_by_id(session, task.revision_id)
        account = await _account_name(session, task.account_id)
        await chains.notify_waiting(session, task, revision.title if revision else "", account)
        await audit.append(
            session,
            actor="system",
            action="task.lease_expired",
            subject_type="task",
            subject_id=task.id,
            detail={
                "draft": task.draft_id,
                "stage": task.stage_name,
                "holder_person_id": holder,
                "lease_until": task.lease_until.isoformat() if task.lease_until else None,
            },
        )
    return expired


async def warn_expiring(
    session: AsyncSession, *, within: timedelta, now: datetime | None = None
) -> list[int]:
    """Tell each holder once per claim that the lease runs out within ``within``."""
    now = now or utcnow()
    warned: list[int] = []
    for task in await lstore.expiring_claims(session, now, now + within):
        holder = task.claimed_by
        if holder is None or not await lstore.mark_reminded(session, task.id, holder, now):
            continue
        warned.append(task.id)
        minutes = max(1, int(((task.lease_until or now) - now).total_seconds() // 60))
        await notify(
            session,
            kind="claim_expiring",
            subject=f"task:{task.id}",
            text=f"你认领的任务 {task.id}（稿件 {task.draft_id}·{task.stage_name}）将在 {minutes} 分钟后"
            f"（{fmt(task.lease_until)}）到期，到期后退回部门待审队列",
            person_id=holder,
            payload={"task_id": task.id, "draft_id": task.draft_id},
            dedup_key=f"claim_expiring:{task.id}:{task.lease_until.isoformat() if task.lease_until else ''}",
        )
    return warned


async def reassign(
    session: AsyncSession,
    task_id: int,
    head: Person,
    to: Person,
    *,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> ReviewTask:
    """A head of the task's department hands it to one of its reviewers (fresh lease)."""
    now = now or utcnow()
    task, draft, revision = await load(session, task_id)
    await chains.ensure_eligible(session, task, head, "reassign")
    if task.status not in (T.OPEN, T.CLAIMED) or draft.current_revision != revision.number:
        raise await chains.refusal(session, task, head, deciding=False, now=now)
    await chains.ensure_eligible(session, task, to)
    previous = task.claimed_by if task.status == T.CLAIMED else None
    if not await rstore.reassign(
        session,
        task.id,
        expected=T(task.status),
        holder=task.claimed_by,
        to_id=to.id,
        until=now + lease,
    ):
        raise Conflict(f"任务 {task.id} 状态已变化，请刷新后再试")
    fresh = await rstore.get_task(session, task.id)
    assert fresh is not None
    await notify(
        session,
        kind="task_assigned",
        subject=f"task:{task.id}",
        text=f"{head.name} 将任务 {task.id}（稿件 {draft.id}「{revision.title}」·{task.stage_name}）"
        f"转派给你，请在 {fmt(fresh.lease_until)} 前处理",
        person_id=to.id,
        payload={"task_id": task.id, "draft_id": draft.id},
    )
    await audit.append(
        session,
        actor=head.key,
        action="task.reassign",
        subject_type="task",
        subject_id=task.id,
        detail={
            "draft": draft.id,
            "status": str(T.REASSIGNED),
            "from_person_id": previous,
            "to": to.key,
            "lease_until": fresh.lease_until.isoformat() if fresh.lease_until else None,
        },
    )
    return fresh


#: an edit in these states sends the draft through review again: the approval pinned the old hash
RESTARTS_REVIEW = frozenset({DraftStatus.IN_REVIEW, DraftStatus.APPROVED, DraftStatus.SCHEDULED})


async def edit(
    session: AsyncSession,
    person: Person,
    draft_id: int,
    inp: drafts.DraftInput,
    *,
    safe_domains: Mapping[str, str | None],
    limits: Mapping[str, PlatformLimits],
) -> tuple[Draft, Revision, bool]:
    """Save a new revision and, when the draft was under or past review, submit it again (the
    one rule the console and the API share); True when review restarted."""
    draft, rev, previous = await drafts.edit(session, person, draft_id, inp)
    restarted = previous in RESTARTS_REVIEW
    if restarted:
        await submit(session, draft.id, person, safe_domains=safe_domains, limits=limits)
    return draft, rev, restarted
