"""The one permission check every chat command passes before it runs.

It reads the command's ``Need`` and the subject's scope (task, message, publication) and returns
the reason for a denial in Chinese — or None. Who may act on a review task is the shared rule in
``review.eligibility`` (the same words the console, CLI and API show); only the claim checks that
spare a reviewer a refused click live here. Handlers never repeat these checks; the domain
functions keep their own guards as a second line.
"""

from __future__ import annotations

from typing import Any

from bot.chat.ports import Caller, ChatBackend, TaskScope
from bot.chat.registry import Command
from review import eligibility
from review.states import ROLE_LABELS, TaskStatus

DECIDABLE = {TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.REASSIGNED}


def _roles(roles: tuple[str, ...]) -> str:
    return "或".join(ROLE_LABELS.get(r, r) for r in roles)


async def deny_reason(
    backend: ChatBackend, caller: Caller, cmd: Command, args: dict[str, Any]
) -> str | None:
    need = cmd.need
    if need.roles and not caller.has(*need.roles):
        return f"「{cmd.name}」需要{_roles(need.roles)}权限，你（{caller.name}）没有。"
    if need.task:
        scope = await backend.task_scope(int(args[need.task]))
        if scope is None:
            return f"没有编号为 {args[need.task]} 的审核任务。"
        return _task_reason(caller, cmd, scope)
    if need.message:
        msg = await backend.message_scope(int(args[need.message]))
        if msg is None:
            return f"没有编号为 #{args[need.message]} 的留言。"
        if msg.department_id != caller.department_id:
            owner = msg.department or "尚未分派的处室"
            return f"留言 #{msg.id} 归{owner}办理，不属于{caller.department}。"
    if need.publication:
        pub = await backend.publication_scope(int(args[need.publication]))
        if pub is None:
            return f"没有编号为 {args[need.publication]} 的发布记录。"
        if pub.owner_department_id != caller.department_id:
            return (
                f"发布 {pub.id} 所在账号由{pub.owner_department}开设管理，"
                f"{caller.department}不能撤回（谁开设、谁管理）。"
            )
    return None


def _actor(caller: Caller) -> eligibility.Actor:
    # identify() answers None for a deactivated person, so a caller is always active
    return eligibility.Actor(
        caller.id, caller.name, caller.department_id, caller.department, caller.roles
    )


def _facts(task: TaskScope) -> eligibility.TaskFacts:
    return eligibility.TaskFacts(
        id=task.id,
        stage=task.stage,
        stage_role=task.stage_role,
        department_id=task.department_id,
        department=task.department,
        involved_ids=task.involved_ids,
    )


def _task_reason(caller: Caller, cmd: Command, task: TaskScope) -> str | None:
    need = cmd.need
    action: eligibility.Action = "reassign" if need.head else "review" if need.decides else "view"
    found = eligibility.refusal(_actor(caller), _facts(task), action)
    if found is not None:
        return f"{found.message}。"
    if need.claimant:
        if task.status not in DECIDABLE:
            return None  # already decided: the domain answers with the task's actual state
        if task.claimed_by is None:
            return f"任务 {task.id} 还没有人认领。请先发送「认领 {task.id}」。"
        if task.claimed_by != caller.id:
            return f"任务 {task.id} 已由{task.claimant_name or '他人'}认领，只有认领人可以办理。"
    return None
