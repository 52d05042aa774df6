"""Who may act on a review task, and why not — the one rule chat, console, CLI and API share.

Pure: it reads plain facts about the person and the task and returns a ``Refusal`` (a closed
reason and its Chinese wording) or None. Every caller (chat, queue, notifier) gathers the facts
with one store query, ``review.store.task_facts.task_facts``; the guarded SQL ``UPDATE`` in
``review.store.review`` refuses the same people (``not_involved``) as the race-proof backstop.

Separation of duties: whoever wrote any revision of the draft, submitted it or overrode one of
its gate checks never reviews any of its stages — not only the author and the last writer,
because an earlier writer's words are still in the revision under review.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

#: ``view``: look at or give back a task of one's department; ``review``: claim, decide or be
#: handed a task; ``reassign``: hand a task to someone else (the department's head)
Action = Literal["view", "review", "reassign"]


class Reason(StrEnum):
    INVOLVED = "involved"
    INACTIVE = "inactive"
    OTHER_DEPARTMENT = "other_department"
    NEEDS_HEAD = "needs_head"
    NOT_REVIEWER = "not_reviewer"
    NOT_HEAD = "not_head"


@dataclass(frozen=True)
class Actor:
    """The person who wants to act (or be handed the task)."""

    id: int
    name: str
    department_id: int
    department: str
    roles: frozenset[str]
    active: bool = True

    def has(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class TaskFacts:
    """What the rule needs to know about a task.

    ``stage_role`` is the role the stage needs ("reviewer", or "head" for 终审);
    ``involved_ids`` everyone who wrote a revision of the draft, submitted it or overrode one of
    its checks (``review.store.task_facts.involved_ids``).
    """

    id: int
    stage: str
    stage_role: str
    department_id: int
    department: str
    involved_ids: frozenset[int] = frozenset()


INVOLVED_TEXT = "不能审核自己参与撰写、提交或豁免检查的稿件"


@dataclass(frozen=True)
class Refusal:
    reason: Reason
    message: str


def stage_roles(stage_role: str) -> tuple[str, ...]:
    """The roles that may review a stage: a head's stage only heads, any other reviewers too."""
    return ("head",) if stage_role == "head" else ("reviewer", "head")


def refusal(actor: Actor, task: TaskFacts, action: Action = "review") -> Refusal | None:
    """None if ``actor`` may do ``action`` on ``task``; else the reason, in Chinese."""
    if action == "review" and actor.id in task.involved_ids:
        return Refusal(Reason.INVOLVED, INVOLVED_TEXT)
    if not actor.active:
        return Refusal(Reason.INACTIVE, f"{actor.name} 已停用，不能审核")
    if action == "reassign":
        if not actor.has("head") or actor.department_id != task.department_id:
            text = f"只有{task.department}负责人可以转派任务 {task.id}"
            return Refusal(Reason.NOT_HEAD, text)
        return None
    if actor.department_id != task.department_id:
        text = (
            f"任务 {task.id}（{task.stage}）由{task.department}审核，"
            f"{actor.name}（{actor.department}）不是该部门人员"
        )
        return Refusal(Reason.OTHER_DEPARTMENT, text)
    if action == "view" or any(actor.has(r) for r in stage_roles(task.stage_role)):
        return None
    if task.stage_role == "head":
        text = f"「{task.stage}」须由{task.department}负责人审核，{actor.name} 不是负责人"
        return Refusal(Reason.NEEDS_HEAD, text)
    return Refusal(Reason.NOT_REVIEWER, f"{actor.name} 没有审核人（reviewer）角色，不能审核")
