"""``newmedia submit`` and ``newmedia review …``: the review queue from the command line.

The same domain functions as chat and the API: whoever opens (claims) a task manages it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.cli.actions.common import open_services, person_arg
from bot.cli.actions.output import print_json, print_table
from bot.cli.actions.runner import CliError
from bot.config.load import Settings
from bot.services import Services
from review import queue
from review.presenters import submit_json, submit_text
from review.queue_views import TaskView
from review.store import directory
from review.timefmt import fmt

COLUMNS = [
    ("id", "任务"),
    ("draft_id", "稿件"),
    ("title", "标题"),
    ("account_name", "账号"),
    ("stage", "环节"),
    ("status_label", "状态"),
    ("holder_name", "认领人"),
    ("lease", "租约到期"),
    ("gate_verdict", "自动检查"),
]


def _who(args: argparse.Namespace) -> str | None:
    return getattr(args, "as_person", None) or os.environ.get("NEWMEDIA_AS")


def _row(v: TaskView) -> dict[str, Any]:
    platform = {"wechat": "微信", "weibo": "微博"}.get(v.platform, v.platform)
    return {
        **v.to_json(),
        "account_name": f"{v.account_name}（{platform}）",
        "stage": f"{v.stage_name} {v.stage_position}/{v.stage_total}",
        "lease": fmt(v.lease_until) if v.lease_until else "",
    }


def _print_view(v: TaskView) -> None:
    print(
        f"任务 {v.id}：稿件 {v.draft_id}「{v.title}」（{v.kind}，第 {v.revision} 版，作者 {v.author_name}）"
    )
    print(
        f"账号：{v.account_name}  环节：{v.stage_name}（{v.stage_position}/{v.stage_total}，{v.department}）"
    )
    print(f"状态：{v.status_label}" + (f"  认领人：{v.holder_name}" if v.holder_name else ""))
    print(f"自动检查：{v.gate_verdict or '—'}")
    for warning in v.gate_warnings:
        print(f"  ! {warning}")
    if v.note:
        print(f"意见：{v.note}")
    print(f"下一步：{v.next_step}")


async def submit(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        async with services.sessions.begin() as session:
            actor = await person_arg(session, _who(args))
            result = await queue.submit(
                session,
                args.id,
                actor,
                safe_domains=services.safe_domains,
                limits=services.platform_limits,
            )
    if args.json:
        print_json(submit_json(result))
    else:
        print(submit_text(result))
    return 3 if result.blocked else 0


async def queue_for(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions() as session:
        person = await person_arg(session, _who(args))
        views = await queue.queue_for(session, person)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        print_table([_row(v) for v in views], COLUMNS)
    return 0


async def show(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions() as session:
        view = await queue.task_view(session, args.id)
    if args.json:
        print_json(view.to_json())
    else:
        _print_view(view)
    return 0


Decision = Callable[[Any, Any, argparse.Namespace, Services], Awaitable[str]]


async def _act(args: argparse.Namespace, decision: Decision) -> int:
    """One transaction for the decision, then show the task as it now is."""
    async with open_services(args) as services:
        async with services.sessions.begin() as session:
            person = await person_arg(session, _who(args))
            message = await decision(session, person, args, services)
        async with services.sessions() as session:
            view = await queue.task_view(session, args.id)
    if args.json:
        print_json({"message": message, "task": view.to_json()})
    else:
        print(message)
        print(f"下一步：{view.next_step}")
    return 0


def _note(args: argparse.Namespace, what: str) -> str:
    note = (args.note or "").strip()
    if not note:
        raise CliError(f"请用 --note 填写{what}")
    return note


async def _claim(session: Any, person: Any, args: argparse.Namespace, services: Services) -> str:
    task = await queue.claim(session, args.id, person, lease=services.lease)
    return f"{person.name} 已认领任务 {task.id}，租约至 {fmt(task.lease_until)}"


async def _release(session: Any, person: Any, args: argparse.Namespace, _: Services) -> str:
    task = await queue.release(session, args.id, person)
    return f"任务 {task.id} 已放回部门待审队列"


async def _approve(session: Any, person: Any, args: argparse.Namespace, services: Services) -> str:
    result = await queue.approve(session, args.id, person, args.note, slots=services.slots)
    if result.next_task is not None:
        return f"任务 {args.id} 已通过，转入「{result.next_task.stage_name}」（任务 {result.next_task.id}）"
    if result.draft_done:
        when = "、".join(fmt(p.due_at) for p in result.publications)
        return f"任务 {args.id} 已通过；稿件全部审核完成，已排期发布：{when}"
    return f"任务 {args.id} 已通过；本账号审核完成，等待其他账号的审核"


async def _reject(session: Any, person: Any, args: argparse.Namespace, _: Services) -> str:
    await queue.reject(session, args.id, person, _note(args, "驳回理由"))
    return f"任务 {args.id} 已驳回，稿件不再发布"


async def _revise(session: Any, person: Any, args: argparse.Namespace, _: Services) -> str:
    await queue.request_changes(session, args.id, person, _note(args, "退回修改意见"))
    return f"任务 {args.id} 已退回作者修改"


async def _reassign(session: Any, person: Any, args: argparse.Namespace, services: Services) -> str:
    target = await directory.person_by_name_or_key(session, args.to)
    if target is None:
        raise CliError(f"未知的人员「{args.to}」")
    task = await queue.reassign(session, args.id, person, target, lease=services.lease)
    return f"任务 {task.id} 已转派给 {target.name}，租约至 {fmt(task.lease_until)}"


async def override(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        async with services.sessions.begin() as session:
            head = await person_arg(session, _who(args))
            row = await queue.override(session, args.draft, head, args.check, args.reason)
    print(f"{head.name} 已对稿件 {args.draft} 的「{row.check_name}」检查批准例外（已记入审计日志）")
    print(f"下一步：newmedia submit {args.draft} 重新提交")
    return 0


async def sweep(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions.begin() as session:
        expired = await queue.expire_leases(session)
        warned = await queue.warn_expiring(session, within=warning_window(services.settings))
    print(f"到期退回：{len(expired)} 个任务；即将到期提醒：{len(warned)} 个任务")
    return 0


def warning_window(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.file.review.expiry_warning_minutes)


async def claim(args: argparse.Namespace) -> int:
    return await _act(args, _claim)


async def release(args: argparse.Namespace) -> int:
    return await _act(args, _release)


async def approve(args: argparse.Namespace) -> int:
    return await _act(args, _approve)


async def reject(args: argparse.Namespace) -> int:
    return await _act(args, _reject)


async def revise(args: argparse.Namespace) -> int:
    return await _act(args, _revise)


async def reassign(args: argparse.Namespace) -> int:
    return await _act(args, _reassign)
