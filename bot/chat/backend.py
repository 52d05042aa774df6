"""The real chat backend: identities, de-dup and audit in the database, and the review queue.

Each operation is one short transaction; nothing here holds one across a network call (the
inbox and publishing services manage their own). ``DbChat`` serves both the router
(``ChatBackend``) and the commands (``ChatServices``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat.backend_inbox import InboxBridge
from bot.chat.backend_publishing import PublishingBridge
from bot.chat.backend_schedule import ScheduleBridge
from bot.chat.backend_wordings import WordingBridge
from bot.chat.ports import (
    Audit,
    Caller,
    Decision,
    MessageScope,
    PreviewInfo,
    PublicationScope,
    TaskInfo,
    TaskScope,
)
from bot.chat.staff import STAFF_KEY
from bot.preview.service import Previews, Shown
from bot.services import Services
from review import queue
from review.errors import NotFound
from review.models import Person
from review.queue_views import TaskView
from review.states import DRAFT_LABELS, DraftStatus
from review.store import audit
from review.store import chat as cstore
from review.store import directory as dstore
from review.store import drafts as drstore
from review.timefmt import fmt

PLATFORM_NAMES = {"wechat": "微信", "weibo": "微博"}


def task_info(view: TaskView) -> TaskInfo:
    return TaskInfo(
        id=view.id,
        draft_id=view.draft_id,
        title=view.title,
        kind=view.kind,
        account=f"{view.account_name}（{PLATFORM_NAMES.get(view.platform, view.platform)}）",
        stage=view.stage_name,
        status=view.status,
        status_label=view.status_label,
        department=view.department,
        holder=view.holder_name,
        lease_until=view.lease_until,
        warnings=view.gate_warnings,
        author=view.author_name,
        platform=PLATFORM_NAMES.get(view.platform, view.platform),
    )


def preview_info(shown: Shown) -> PreviewInfo:
    """A preview as chat shows it (``bot.chat.formatting`` lays it out)."""
    p, diff = shown.preview, shown.diff
    return PreviewInfo(
        platform=f"{p.label}（{p.account_name}）",
        excerpt=p.excerpt,
        findings=shown.findings,
        url=shown.url,
        status_text=p.text,
        count=f"{p.count}/{p.limit} 字" if p.platform == "weibo" and p.text else "",
        problem=p.problem,
        diff_summary=diff.summary() if diff else "",
        diff_lines=tuple(f"{c.op} {c.text}" for c in diff.changes) if diff else (),
    )


class DbChat(InboxBridge, PublishingBridge, ScheduleBridge, WordingBridge):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.lease = services.lease
        self.slots = services.slots

    # ---- ChatBackend ------------------------------------------------------------------------
    async def identify(self, platform: str, external_id: str) -> Caller | None:
        async with self.sessions() as s:
            if platform == STAFF_KEY:  # already resolved by the OA callback's whitelist
                person = await dstore.person_by_key(s, external_id)
            else:
                person = await dstore.person_by_identity(s, platform, external_id)
            if person is None or not person.active:
                return None
            dept = await dstore.department_by_id(s, person.department_id)
            return Caller(
                person.id,
                person.key,
                person.name,
                person.department_id,
                dept.name if dept else "",
                frozenset(person.roles.split()),
            )

    async def begin(self, dedup_key: str, caller: Caller, text: str) -> str | None:
        async with self.sessions.begin() as s:
            row = await cstore.begin_command(s, dedup_key, caller.id, text)
            return None if row is None else (row.answer or "")

    async def finish(self, dedup_key: str, answer: str) -> None:
        async with self.sessions.begin() as s:
            await cstore.finish_command(s, dedup_key, answer)

    async def forget(self, dedup_key: str) -> None:
        async with self.sessions.begin() as s:
            await cstore.forget_command(s, dedup_key)

    async def audit(self, event: Audit) -> None:
        stype, _, sid = event.subject.partition(":")
        async with self.sessions.begin() as s:
            await audit.append(
                s,
                actor=event.actor,
                action=event.action,
                subject_type=stype,
                subject_id=sid,
                detail=event.detail,
            )

    async def task_scope(self, task_id: int) -> TaskScope | None:
        async with self.sessions() as s:
            row = await cstore.task_scope(s, task_id)
        if row is None:
            return None
        t, facts = row.task, row.facts
        return TaskScope(
            t.id,
            t.department_id,
            facts.department,
            t.stage_name,
            facts.stage_role,
            t.status,
            t.claimed_by,
            row.claimant_name,
            facts.involved_ids,
        )

    async def message_scope(self, message_id: int) -> MessageScope | None:
        async with self.sessions() as s:
            row = await cstore.message_row(s, message_id)
        if row is None:
            return None
        msg, dept = row
        return MessageScope(msg.id, msg.department_id, dept.name if dept else None, msg.status)

    async def publication_scope(self, publication_id: int) -> PublicationScope | None:
        async with self.sessions() as s:
            row = await cstore.publication_row(s, publication_id)
        if row is None:
            return None
        pub, _account, dept = row
        return PublicationScope(pub.id, dept.id, dept.name, pub.status)

    # ---- ChatServices: review ---------------------------------------------------------------
    @staticmethod
    async def _person(s: AsyncSession, caller: Caller) -> Person:
        person = await dstore.person_by_id(s, caller.id)
        if person is None:
            raise NotFound("找不到你的人员记录")
        return person

    async def queue(self, caller: Caller) -> list[TaskInfo]:
        async with self.sessions() as s:
            views = await queue.queue_for(s, await self._person(s, caller))
        return [task_info(v) for v in views]

    async def show(self, caller: Caller, task_id: int) -> TaskInfo:
        """The task with its content: the preview is recorded as seen by the caller."""
        async with self.sessions.begin() as s:
            info = task_info(await queue.task_view(s, task_id))
            shown = await Previews(self.services).for_task(s, task_id, caller.id)
        return replace(info, preview=preview_info(shown))

    async def claim(self, caller: Caller, task_id: int) -> TaskInfo:
        async with self.sessions.begin() as s:
            await queue.claim(s, task_id, await self._person(s, caller), lease=self.lease)
            return task_info(await queue.task_view(s, task_id))

    async def release(self, caller: Caller, task_id: int) -> TaskInfo:
        async with self.sessions.begin() as s:
            await queue.release(s, task_id, await self._person(s, caller))
            return task_info(await queue.task_view(s, task_id))

    async def _decision(self, s: AsyncSession, task_id: int, next_step: str) -> Decision:
        view = await queue.task_view(s, task_id)
        draft = await drstore.get_draft(s, view.draft_id)
        label = DRAFT_LABELS[DraftStatus(draft.status)] if draft else ""
        return Decision(task_info(view), label, next_step)

    async def approve(self, caller: Caller, task_id: int, note: str) -> Decision:
        async with self.sessions.begin() as s:
            person = await self._person(s, caller)
            result = await queue.approve(s, task_id, person, note or None, slots=self.slots)
            return await self._decision(s, task_id, await _after_approve(s, result))

    async def reject(self, caller: Caller, task_id: int, reason: str) -> Decision:
        async with self.sessions.begin() as s:
            await queue.reject(s, task_id, await self._person(s, caller), reason)
            return await self._decision(s, task_id, "稿件不再发布，已通知编辑。")

    async def revise(self, caller: Caller, task_id: int, note: str) -> Decision:
        async with self.sessions.begin() as s:
            await queue.request_changes(s, task_id, await self._person(s, caller), note)
            return await self._decision(s, task_id, "已退回编辑修改；重新提交后将从初审开始。")

    async def reassign(self, caller: Caller, task_id: int, to: str) -> TaskInfo:
        async with self.sessions.begin() as s:
            target = await dstore.person_by_name_or_key(s, to)
            if target is None or not target.active:
                raise NotFound(f"找不到人员「{to}」")
            await queue.reassign(
                s, task_id, await self._person(s, caller), target, lease=self.lease
            )
            return task_info(await queue.task_view(s, task_id))


async def _after_approve(s: AsyncSession, result: Any) -> str:
    """Where the draft goes after an approval, in one line."""
    if result.next_task is not None:
        nxt = result.next_task
        dept = await dstore.department_by_id(s, nxt.department_id)
        where = dept.name if dept else ""
        return f"已转入「{nxt.stage_name}」（{where}），任务 {nxt.id}，已通知该处室。"
    if result.draft_done:
        when = "、".join(fmt(p.due_at) for p in result.publications)
        return f"全部审核通过，已排期发布：{when}。"
    return "本账号审核已完成，等待其他账号的审核。"
