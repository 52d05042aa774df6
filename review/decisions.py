"""Deciding a claimed task: approve (pin the hash, open the next stage or schedule), reject,
send back for changes.

Only the claimant decides, while the lease runs and the task's revision is still current — all
guarded in one SQL ``UPDATE``. The draft row is locked first so the last approvals of a
multi-account draft see each other and exactly one of them schedules the publications.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from review import chains, scheduling
from review.errors import Conflict, NotFound, ValidationFailed
from review.models import Draft, Person, Publication, ReviewTask, Revision, utcnow
from review.notify import notify
from review.states import DraftStatus
from review.states import TaskStatus as T
from review.store import audit
from review.store import directory as dirstore
from review.store import drafts as dstore
from review.store import review as rstore
from review.timefmt import fmt

DEFAULT_LEASE = timedelta(hours=4)


@dataclass(frozen=True)
class ApproveResult:
    task: ReviewTask
    next_task: ReviewTask | None = None
    account_done: bool = False
    draft_done: bool = False
    publications: tuple[Publication, ...] = field(default=())


async def load(session: AsyncSession, task_id: int) -> tuple[ReviewTask, Draft, Revision]:
    task = await rstore.get_task(session, task_id)
    if task is None:
        raise NotFound(f"任务 {task_id} 不存在")
    draft = await rstore.lock_draft(session, task.draft_id)
    revision = await dstore.revision_by_id(session, task.revision_id)
    assert draft is not None and revision is not None
    task = await rstore.get_task(session, task_id)  # re-read after waiting for the draft lock
    assert task is not None
    return task, draft, revision


async def _decide(
    session: AsyncSession,
    task_id: int,
    person: Person,
    target: T,
    note: str | None,
    now: datetime,
) -> tuple[ReviewTask, Draft, Revision]:
    task, draft, revision = await load(session, task_id)
    await chains.ensure_eligible(session, task, person)  # first: the reason that never changes
    if task.status != T.CLAIMED or task.claimed_by != person.id:
        raise await chains.refusal(session, task, person, deciding=True, now=now)
    pinned = revision.content_hash if target == T.APPROVED else None
    if not await rstore.decide(
        session, task.id, person.id, target, now=now, note=note, approved_hash=pinned
    ):
        fresh = await rstore.get_task(session, task.id)
        assert fresh is not None
        if (
            fresh.status == T.CLAIMED
            and fresh.claimed_by == person.id
            and draft.current_revision != revision.number
        ):
            raise Conflict(chains.STALE)
        raise await chains.refusal(session, fresh, person, deciding=True, now=now)
    fresh = await rstore.get_task(session, task.id)
    assert fresh is not None
    return fresh, draft, revision


async def _chain_complete(session: AsyncSession, draft: Draft, revision: Revision) -> bool:
    """Every target account's last applicable stage is approved on this revision."""
    approved = {
        (t.account_id, t.stage_index)
        for t in await rstore.tasks_of_revision(session, revision.id)
        if t.status == T.APPROVED
    }
    for account in await dstore.target_accounts(session, draft.id):
        stages = await chains.applicable(session, account.id, revision.kind)
        if not stages or (account.id, stages[-1].position) not in approved:
            return False
    return True


async def approve(
    session: AsyncSession,
    task_id: int,
    person: Person,
    note: str | None = None,
    *,
    slots: Mapping[str, Sequence[str]] | None = None,
    now: datetime | None = None,
) -> ApproveResult:
    """Pin the revision's hash; open the next stage, or schedule when every chain is done."""
    now = now or utcnow()
    task, draft, revision = await _decide(session, task_id, person, T.APPROVED, note, now)
    account = await dirstore.account_by_id(session, task.account_id)
    assert account is not None
    stage = await chains.next_stage(session, task.account_id, revision.kind, task.stage_index)
    next_task = await chains.open_stage(session, draft, revision, account, stage) if stage else None
    pubs: list[Publication] = []
    draft_done = stage is None and await _chain_complete(session, draft, revision)
    if draft_done:
        if not await dstore.move_draft(
            session, draft.id, DraftStatus.IN_REVIEW, DraftStatus.APPROVED
        ):
            raise Conflict(f"稿件 {draft.id} 状态已变化，请刷新后再试")
        accounts = await dstore.target_accounts(session, draft.id)
        pubs = await scheduling.schedule(session, revision, accounts, slots=slots, now=now)
        await dstore.move_draft(session, draft.id, DraftStatus.APPROVED, DraftStatus.SCHEDULED)
        when = "、".join(
            f"{a.name}（{a.platform}）{fmt(p.due_at)}" for a, p in zip(accounts, pubs, strict=True)
        )
        await notify(
            session,
            kind="draft_scheduled",
            subject=f"draft:{draft.id}",
            text=f"稿件 {draft.id}「{revision.title}」已通过全部审核，排期发布：{when}",
            person_id=draft.author_id,
            payload={"draft_id": draft.id, "publications": [p.id for p in pubs]},
        )
    await audit.append(
        session,
        actor=person.key,
        action="task.approve",
        subject_type="task",
        subject_id=task.id,
        detail={
            "draft": draft.id,
            "revision": revision.number,
            "hash": revision.content_hash,
            "account": account.key,
            "stage": task.stage_name,
            "note": note,
            "next_task": next_task.id if next_task else None,
        },
    )
    if draft_done:
        await audit.append(
            session,
            actor="system",
            action="draft.scheduled",
            subject_type="draft",
            subject_id=draft.id,
            detail={
                "revision": revision.number,
                "hash": revision.content_hash,
                "publications": [
                    {"id": p.id, "account_id": p.account_id, "due_at": p.due_at.isoformat()}
                    for p in pubs
                ],
            },
        )
    return ApproveResult(task, next_task, stage is None, draft_done, tuple(pubs))


async def _stop(
    session: AsyncSession,
    task_id: int,
    person: Person,
    text: str,
    target: T,
    draft_target: DraftStatus,
    kind: str,
    action: str,
    now: datetime | None,
) -> ReviewTask:
    """Reject or send back: the task, the draft and the rest of its chains stop here."""
    text = (text or "").strip()
    if not text:
        what = "驳回理由" if target == T.REJECTED else "退回修改意见"
        raise ValidationFailed(f"请填写{what}", field="note")
    task, draft, revision = await _decide(session, task_id, person, target, text, now or utcnow())
    if not await dstore.move_draft(session, draft.id, DraftStatus.IN_REVIEW, draft_target):
        raise Conflict(f"稿件 {draft.id} 状态已变化，请刷新后再试")
    stopped = await rstore.supersede(session, draft.id, (T.OPEN, T.CLAIMED, T.WAITING))
    verb = "驳回" if target == T.REJECTED else "退回修改"
    await notify(
        session,
        kind=kind,
        subject=f"draft:{draft.id}",
        text=f"稿件 {draft.id}「{revision.title}」被 {person.name}（{task.stage_name}）{verb}：{text}",
        person_id=draft.author_id,
        payload={"draft_id": draft.id, "task_id": task.id},
    )
    await audit.append(
        session,
        actor=person.key,
        action=action,
        subject_type="task",
        subject_id=task.id,
        detail={
            "draft": draft.id,
            "revision": revision.number,
            "stage": task.stage_name,
            "note": text,
            "superseded": stopped,
        },
    )
    return task


async def reject(
    session: AsyncSession, task_id: int, person: Person, reason: str, *, now: datetime | None = None
) -> ReviewTask:
    """驳回: the draft will not be published."""
    return await _stop(
        session,
        task_id,
        person,
        reason,
        T.REJECTED,
        DraftStatus.REJECTED,
        "draft_rejected",
        "task.reject",
        now,
    )


async def request_changes(
    session: AsyncSession, task_id: int, person: Person, note: str, *, now: datetime | None = None
) -> ReviewTask:
    """退回修改: back to the editor; a new revision restarts the chain."""
    return await _stop(
        session,
        task_id,
        person,
        note,
        T.CHANGES_REQUESTED,
        DraftStatus.CHANGES_REQUESTED,
        "draft_returned",
        "task.request_changes",
        now,
    )
