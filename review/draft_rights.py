"""Who manages a draft: edits, submits it, cancels or moves its schedule (pure).

谁开设、谁管理 — the department that opened an account answers for what it publishes, so the
people who send a draft on its way or change when it goes out are that department's: its
editors (and the author, for editing and submitting) and its heads, or an admin. An editor of
another department may write a draft for the 办公室's account (供稿) and edit it, but not edit
anyone else's draft there, submit it or move its schedule.
Reviewing is another question (``review.eligibility``), and so is reading
(``review.visibility``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

#: ``edit``: save a new revision; ``submit``: send a draft to the gate and review;
#: ``schedule``: cancel or move its publication
Act = Literal["edit", "submit", "schedule"]
_VERB = {"edit": "修改", "submit": "提交", "schedule": "取消或改期"}


@dataclass(frozen=True)
class Manager:
    """The person who wants to act, as the rule needs them."""

    id: int
    name: str
    department_id: int
    roles: frozenset[str]
    active: bool = True


@dataclass(frozen=True)
class Owners:
    """The departments that opened the accounts concerned, with their names for the answer."""

    ids: frozenset[int]
    names: tuple[str, ...]


def manager(
    person_id: int, name: str, department_id: int, roles: Iterable[str], active: bool
) -> Manager:
    return Manager(person_id, name, department_id, frozenset(roles), active)


def refusal(
    who: Manager,
    act: Act,
    owners: Owners,
    *,
    author_id: int,
    draft_id: int,
    answering: frozenset[int] = frozenset(),
) -> str | None:
    """Why ``who`` may not ``act`` on draft ``draft_id`` (None: they may).

    ``answering``: the departments whose citizen messages the draft answers publicly (留言答复):
    their repliers and heads write and submit it — the owner department still reviews it at
    the first stage of its chain — but only the owner department moves its publication."""
    verb = _VERB[act]
    if not who.active:
        return f"{who.name} 已停用，不能{verb}稿件 {draft_id}"
    if "admin" in who.roles or (act == "edit" and who.id == author_id):
        return None
    if act != "schedule" and who.department_id in answering and {"replier", "head"} & who.roles:
        return None
    if act in ("edit", "submit"):
        if who.id != author_id and "editor" not in who.roles:
            return f"{who.name} 不是稿件作者，也没有编辑角色，不能{verb}"
    elif not ({"editor", "head"} & who.roles):
        return f"{who.name} 不是编辑或处室负责人，不能取消或改期稿件 {draft_id} 的发布"
    if owners.ids - {who.department_id}:  # every account concerned must be theirs
        owner = "、".join(owners.names) or "账号开设部门"
        return (
            f"稿件 {draft_id} 的发布账号由{owner}开设和管理（谁开设、谁管理），"
            f"只有{owner}的人员可以{verb}，{who.name} 不能{verb}"
        )
    return None
