"""``newmedia submit`` and ``newmedia review …``: the review queue from the command line.

The same domain functions as chat and the API: whoever opens (claims) a task manages it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from bot.cli.common import CliError, open_db, person_arg, print_json, print_table
from bot.domain_args import lease, safe_domains, slots
from bot.settings_load import Settings
from review import queue
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


async def _submit(args: argparse.Namespace) -> int:
    async with open_db(args) as (settings, sessions):
        async with sessions.begin() as session:
            actor = await person_arg(session, _who(args))
            result = await queue.submit(
                session, args.id, actor, safe_domains=safe_domains(settings)
            )
    if args.json:
        print_json(
            {
                "draft_id": result.draft_id,
                "revision": result.revision,
                "verdict": result.verdict,
                "blocked": result.blocked,
                "reasons": list(result.reasons),
                "warnings": list(result.warnings),
                "tasks": [t.id for t in result.tasks],
            }
        )
        return 3 if result.blocked else 0
    if result.blocked:
        print(f"稿件 {args.id} 未通过自动检查，已退回编辑：")
        for reason in result.reasons:
            print(f"  ✗ {reason}")
        return 3
    print(f"稿件 {args.id}（第 {result.revision} 版）已提交审核，自动检查：{result.verdict}")
    for warning in result.warnings:
        print(f"  ! {warning}")
    print(f"审核任务：{'、'.join(str(t.id) for t in result.tasks)}")
    return 0


async def _queue(args: argparse.Namespace) -> int:
    async with open_db(args) as (_settings, sessions), sessions() as session:
        person = await person_arg(session, _who(args))
        views = await queue.queue_for(session, person)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        print_table([_row(v) for v in views], COLUMNS)
    return 0


async def _show(args: argparse.Namespace) -> int:
    async with open_db(args) as (_settings, sessions), sessions() as session:
        view = await queue.task_view(session, args.id)
    if args.json:
        print_json(view.to_json())
    else:
        _print_view(view)
    return 0


Action = Callable[[Any, Any, argparse.Namespace, Any], Awaitable[str]]


async def _act(args: argparse.Namespace, action: Action) -> int:
    """One transaction for the action, then show the task as it now is."""
    async with open_db(args) as (settings, sessions):
        async with sessions.begin() as session:
            person = await person_arg(session, _who(args))
            message = await action(session, person, args, settings)
        async with sessions() as session:
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


async def _claim(session: Any, person: Any, args: argparse.Namespace, settings: Any) -> str:
    task = await queue.claim(session, args.id, person, lease=lease(settings))
    return f"{person.name} 已认领任务 {task.id}，租约至 {fmt(task.lease_until)}"


async def _release(session: Any, person: Any, args: argparse.Namespace, settings: Any) -> str:
    task = await queue.release(session, args.id, person)
    return f"任务 {task.id} 已放回部门待审队列"


async def _approve(session: Any, person: Any, args: argparse.Namespace, settings: Any) -> str:
    result = await queue.approve(session, args.id, person, args.note, slots=slots(settings))
    if result.next_task is not None:
        return f"任务 {args.id} 已通过，转入「{result.next_task.stage_name}」（任务 {result.next_task.id}）"
    if result.draft_done:
        when = "、".join(fmt(p.due_at) for p in result.publications)
        return f"任务 {args.id} 已通过；稿件全部审核完成，已排期发布：{when}"
    return f"任务 {args.id} 已通过；本账号审核完成，等待其他账号的审核"


async def _reject(session: Any, person: Any, args: argparse.Namespace, settings: Any) -> str:
    await queue.reject(session, args.id, person, _note(args, "驳回理由"))
    return f"任务 {args.id} 已驳回，稿件不再发布"


async def _revise(session: Any, person: Any, args: argparse.Namespace, settings: Any) -> str:
    await queue.request_changes(session, args.id, person, _note(args, "退回修改意见"))
    return f"任务 {args.id} 已退回作者修改"


async def _reassign(session: Any, person: Any, args: argparse.Namespace, settings: Any) -> str:
    target = await directory.person_by_name_or_key(session, args.to)
    if target is None:
        raise CliError(f"未知的人员「{args.to}」")
    task = await queue.reassign(session, args.id, person, target, lease=lease(settings))
    return f"任务 {task.id} 已转派给 {target.name}，租约至 {fmt(task.lease_until)}"


async def _override(args: argparse.Namespace) -> int:
    async with open_db(args) as (_settings, sessions):
        async with sessions.begin() as session:
            head = await person_arg(session, _who(args))
            row = await queue.override(session, args.draft, head, args.check, args.reason)
    print(f"{head.name} 已对稿件 {args.draft} 的「{row.check_name}」检查批准例外（已记入审计日志）")
    print(f"下一步：newmedia submit {args.draft} 重新提交")
    return 0


async def _sweep(args: argparse.Namespace) -> int:
    async with open_db(args) as (settings, sessions), sessions.begin() as session:
        expired = await queue.expire_leases(session)
        warned = await queue.warn_expiring(session, within=warning_window(settings))
    print(f"到期退回：{len(expired)} 个任务；即将到期提醒：{len(warned)} 个任务")
    return 0


def warning_window(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.file.review.expiry_warning_minutes)


def _sync(
    fn: Callable[[argparse.Namespace], Coroutine[Any, Any, int]],
) -> Callable[[argparse.Namespace], int]:
    return lambda args: asyncio.run(fn(args))


def _action(action: Action) -> Callable[[argparse.Namespace], int]:
    return lambda args: asyncio.run(_act(args, action))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser("submit", help="run the gate on a draft and send it to review")
    s.add_argument("id", type=int)
    s.add_argument("--as", dest="as_person", help="person key or name (default $NEWMEDIA_AS)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=_sync(_submit))

    p = sub.add_parser("review", help="the review queue: claim, approve, reject, send back")
    rsub = p.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    q = rsub.add_parser("queue", help="tasks waiting for me and tasks I hold")
    q.add_argument("--as", dest="as_person")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=_sync(_queue))
    show = rsub.add_parser("show", help="one task")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_sync(_show))
    for name, fn, help_text in (
        ("claim", _claim, "open (claim) a task; only the claimant decides it"),
        ("release", _release, "give a claimed task back to the department"),
        ("approve", _approve, "approve the exact revision (its content hash is pinned)"),
        ("reject", _reject, "reject the draft (--note reason required)"),
        ("revise", _revise, "send back to the editor for changes (--note required)"),
        ("reassign", _reassign, "department head: hand the task to a reviewer (--to)"),
    ):
        a = rsub.add_parser(name, help=help_text)
        a.add_argument("id", type=int)
        a.add_argument("--as", dest="as_person")
        a.add_argument("--note")
        a.add_argument("--json", action="store_true")
        if name == "reassign":
            a.add_argument("--to", required=True, help="person key or name")
        a.set_defaults(handler=_action(fn))
    o = rsub.add_parser("override", help="department head: audited exception to one blocking check")
    o.add_argument("draft", type=int)
    o.add_argument("--check", required=True, help="e.g. personal_data")
    o.add_argument("--reason", required=True, help="written justification (≥ 10 字)")
    o.add_argument("--as", dest="as_person")
    o.set_defaults(handler=_sync(_override))
    sw = rsub.add_parser("sweep", help="return expired claims now and send expiry warnings")
    sw.set_defaults(handler=_sync(_sweep))
