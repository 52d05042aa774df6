"""What chat commands need from the rest of the service, as Protocols and plain views.

The router and the commands are written against these, so unit tests drive them with a small
fake and ``bot.chat.backend`` adapts the real review queue, inbox and publishing services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Caller:
    """The person behind a chat identity."""

    id: int
    key: str
    name: str
    department_id: int
    department: str
    roles: frozenset[str]

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)


@dataclass(frozen=True)
class TaskScope:
    """What the permission check needs to know about a review task."""

    id: int
    department_id: int
    department: str
    stage: str
    stage_role: str  # "reviewer" | "head"
    status: str
    claimed_by: int | None
    claimant_name: str | None
    #: who wrote a revision of the draft, submitted it or overrode a check: never reviews it
    involved_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class MessageScope:
    id: int
    department_id: int | None
    department: str | None
    status: str


@dataclass(frozen=True)
class PublicationScope:
    id: int
    owner_department_id: int
    owner_department: str
    status: str


@dataclass(frozen=True)
class PreviewInfo:
    """What 查看 and the card show of the content: the platform, the body's opening, the
    gate's findings, the changes since the reviewer's last look and the signed link."""

    platform: str
    excerpt: str
    findings: tuple[str, ...]
    url: str
    status_text: str = ""  # Weibo: the status as it will be posted
    count: str = ""  # Weibo: "118/140 字"
    problem: str = ""  # why the platform would refuse it as it stands
    diff_summary: str = ""
    diff_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskInfo:
    """A review task as a phone shows it."""

    id: int
    draft_id: int
    title: str
    kind: str
    account: str
    stage: str
    status: str
    status_label: str
    department: str
    holder: str | None = None
    lease_until: datetime | None = None
    warnings: tuple[str, ...] = ()
    author: str = ""
    platform: str = ""  # 微信 / 微博
    preview: PreviewInfo | None = None


@dataclass(frozen=True)
class Decision:
    """The outcome of 通过 / 驳回 / 退回: the task, and where the draft goes next."""

    task: TaskInfo
    draft_status_label: str
    next_step: str


@dataclass(frozen=True)
class MessageInfo:
    id: int
    status_label: str
    topic: str
    preview: str
    deadline: str = ""
    hot: bool = False
    #: 「回复窗口 12月7日 18:00 关闭」 / 「回复窗口已关闭」 / 「无回复窗口」
    window: str = ""


@dataclass(frozen=True)
class Audit:
    actor: str
    action: str
    subject: str
    detail: dict[str, Any] = field(default_factory=dict)


class ChatBackend(Protocol):
    """Identity, de-duplication, audit and the scopes of the central permission check."""

    async def identify(self, platform: str, external_id: str) -> Caller | None: ...

    async def begin(self, dedup_key: str, caller: Caller, text: str) -> str | None:
        """None if this command is new (now recorded), else the stored answer of the first."""
        ...

    async def finish(self, dedup_key: str, answer: str) -> None: ...

    async def forget(self, dedup_key: str) -> None:
        """Drop the record of a command that did nothing, so trying again (after 认领) works."""
        ...

    async def audit(self, event: Audit) -> None: ...

    async def task_scope(self, task_id: int) -> TaskScope | None: ...

    async def message_scope(self, message_id: int) -> MessageScope | None: ...

    async def publication_scope(self, publication_id: int) -> PublicationScope | None: ...


class ChatServices(Protocol):
    """The domain operations commands call; they raise review.errors.DomainError subclasses."""

    async def queue(self, caller: Caller) -> list[TaskInfo]: ...
    async def show(self, caller: Caller, task_id: int) -> TaskInfo: ...
    async def claim(self, caller: Caller, task_id: int) -> TaskInfo: ...
    async def release(self, caller: Caller, task_id: int) -> TaskInfo: ...
    async def approve(self, caller: Caller, task_id: int, note: str) -> Decision: ...
    async def reject(self, caller: Caller, task_id: int, reason: str) -> Decision: ...
    async def revise(self, caller: Caller, task_id: int, note: str) -> Decision: ...
    async def reassign(self, caller: Caller, task_id: int, to: str) -> TaskInfo: ...
    async def retract(self, caller: Caller, publication_id: int, reason: str) -> str: ...
    async def correct(self, caller: Caller, publication_id: int, text: str) -> str: ...
    async def cancel_schedule(self, caller: Caller, draft_id: int) -> str: ...
    async def reschedule(self, caller: Caller, draft_id: int, when: str) -> str: ...
    async def inbox(self, caller: Caller) -> list[MessageInfo]: ...
    async def reply(self, caller: Caller, message_id: int, text: str) -> str: ...
    async def transfer(
        self, caller: Caller, message_id: int, department: str, note: str
    ) -> str: ...
    async def close(self, caller: Caller, message_id: int, reason: str) -> str: ...
    async def answer_public(self, caller: Caller, message_id: int, text: str) -> str: ...
    async def record_phone(self, caller: Caller, message_id: int, summary: str) -> str: ...
    async def wordings(self, caller: Caller, query: str) -> str: ...
    async def moderate_comment(
        self, caller: Caller, message_id: int, action: str, reason: str
    ) -> str: ...
