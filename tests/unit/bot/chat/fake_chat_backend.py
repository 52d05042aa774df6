"""An in-memory ChatBackend + ChatServices for router unit tests (no database)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.chat.ports import (
    Audit,
    Caller,
    Decision,
    MessageInfo,
    MessageScope,
    PublicationScope,
    TaskInfo,
    TaskScope,
)
from review.errors import Conflict

OFFICE, SECRECY = 1, 2
DEPTS = {OFFICE: "办公室", SECRECY: "保密办"}


def person(pid: int, key: str, name: str, dept: int, *roles: str) -> Caller:
    return Caller(pid, key, name, dept, DEPTS[dept], frozenset(roles))


PEOPLE = {
    "ZhaoMin": person(1, "zhao_min", "赵敏", OFFICE, "editor"),
    "LiNa": person(2, "li_na", "李娜", OFFICE, "reviewer", "replier"),
    "WangQiang": person(3, "wang_qiang", "王强", OFFICE, "reviewer", "head", "replier"),
    "ChenJing": person(4, "chen_jing", "陈静", SECRECY, "reviewer", "head"),
}


@dataclass
class Task:
    id: int
    dept: int
    stage: str
    role: str = "reviewer"
    status: str = "open"
    claimed_by: int | None = None
    author: int = 1
    writer: int | None = None


@dataclass
class FakeChat:
    tasks: dict[int, Task] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)
    audits: list[Audit] = field(default_factory=list)
    calls: list[tuple[str, int]] = field(default_factory=list)
    messages: dict[int, int] = field(default_factory=dict)  # message id → department

    # ---- ChatBackend ------------------------------------------------------------------------
    async def identify(self, platform: str, external_id: str) -> Caller | None:
        return PEOPLE.get(external_id) if platform == "wecom" else None

    async def begin(self, dedup_key: str, caller: Caller, text: str) -> str | None:
        if dedup_key in self.commands:
            return self.commands[dedup_key]
        self.commands[dedup_key] = ""
        return None

    async def finish(self, dedup_key: str, answer: str) -> None:
        self.commands[dedup_key] = answer

    async def forget(self, dedup_key: str) -> None:
        self.commands.pop(dedup_key, None)

    async def audit(self, event: Audit) -> None:
        self.audits.append(event)

    async def task_scope(self, task_id: int) -> TaskScope | None:
        t = self.tasks.get(task_id)
        if t is None:
            return None
        name = next((p.name for p in PEOPLE.values() if p.id == t.claimed_by), None)
        return TaskScope(
            t.id,
            t.dept,
            DEPTS[t.dept],
            t.stage,
            t.role,
            t.status,
            t.claimed_by,
            name,
            frozenset({t.author} | ({t.writer} if t.writer else set())),
        )

    async def message_scope(self, message_id: int) -> MessageScope | None:
        dept = self.messages.get(message_id)
        return None if dept is None else MessageScope(message_id, dept, DEPTS[dept], "assigned")

    async def publication_scope(self, publication_id: int) -> PublicationScope | None:
        return PublicationScope(publication_id, OFFICE, "办公室", "published")

    # ---- ChatServices -----------------------------------------------------------------------
    def info(self, t: Task) -> TaskInfo:
        holder = next((p.name for p in PEOPLE.values() if p.id == t.claimed_by), None)
        return TaskInfo(
            t.id,
            100 + t.id,
            "低保申请指南",
            "政策解读",
            "长春民政（微信）",
            t.stage,
            t.status,
            {"open": "待认领", "claimed": "已认领"}.get(t.status, t.status),
            DEPTS[t.dept],
            holder=holder,
            warnings=("手机号 1 处",),
        )

    async def queue(self, caller: Caller) -> list[TaskInfo]:
        return [self.info(t) for t in self.tasks.values() if t.dept == caller.department_id]

    async def show(self, caller: Caller, task_id: int) -> TaskInfo:
        return self.info(self.tasks[task_id])

    async def claim(self, caller: Caller, task_id: int) -> TaskInfo:
        t = self.tasks[task_id]
        if t.status != "open":
            raise Conflict(f"任务 {task_id} 已被认领")
        t.status, t.claimed_by = "claimed", caller.id
        self.calls.append(("claim", task_id))
        return self.info(t)

    async def release(self, caller: Caller, task_id: int) -> TaskInfo:
        t = self.tasks[task_id]
        t.status, t.claimed_by = "open", None
        return self.info(t)

    async def _decide(self, verb: str, task_id: int) -> Decision:
        t = self.tasks[task_id]
        if t.status != "claimed":
            raise Conflict(f"任务 {task_id} 已办结")
        t.status = verb
        self.calls.append((verb, task_id))
        return Decision(self.info(t), "审核中", "已进入「终审」。")

    async def approve(self, caller: Caller, task_id: int, note: str) -> Decision:
        return await self._decide("approved", task_id)

    async def reject(self, caller: Caller, task_id: int, reason: str) -> Decision:
        return await self._decide("rejected", task_id)

    async def revise(self, caller: Caller, task_id: int, note: str) -> Decision:
        return await self._decide("changes_requested", task_id)

    async def reassign(self, caller: Caller, task_id: int, to: str) -> TaskInfo:
        t = self.tasks[task_id]
        t.claimed_by, t.status = 2, "claimed"
        return replace(self.info(t), holder=to)

    async def retract(self, caller: Caller, publication_id: int, reason: str) -> str:
        self.calls.append(("retract", publication_id))
        return f"已撤回发布 {publication_id}"

    async def correct(self, caller: Caller, publication_id: int, text: str) -> str:
        return f"已起草更正 {publication_id}"

    async def inbox(self, caller: Caller) -> list[MessageInfo]:
        return [MessageInfo(35, "已分派", "社会救助", "请问低保怎么申请", "12-03 17:00")]

    async def reply(self, caller: Caller, message_id: int, text: str) -> str:
        self.calls.append(("reply", message_id))
        return f"已答复 #{message_id}"

    async def transfer(self, caller: Caller, message_id: int, department: str, note: str) -> str:
        return f"已转办 #{message_id} 至{department}"

    async def close(self, caller: Caller, message_id: int, reason: str) -> str:
        return f"已关闭 #{message_id}"

    async def answer_public(self, caller: Caller, message_id: int, text: str) -> str:
        self.calls.append(("answer_public", message_id))
        return f"已提交公开答复 #{message_id}"

    async def record_phone(self, caller: Caller, message_id: int, summary: str) -> str:
        self.calls.append(("record_phone", message_id))
        return f"已记录电话答复 #{message_id}"

    async def wordings(self, caller: Caller, query: str) -> str:
        self.calls.append(("wordings", query))
        return f"口径：{query}"

    async def moderate_comment(
        self, caller: Caller, message_id: int, action: str, reason: str
    ) -> str:
        self.calls.append((f"comment_{action}", message_id))
        return f"已处理留言 #{message_id}"
