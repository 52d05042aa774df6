"""``newmedia inbox``: the citizen reply queue from the command line (list, show, reply,
transfer, close). Everyone acts as a person (``--as``): visibility and permissions are theirs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli.actions.common import open_services
from bot.cli.actions.output import print_json, print_table
from bot.cli.actions.runner import CliError
from bot.config.lists import command_lists
from bot.inbox import answering, comments
from bot.inbox import service as inbox_service
from bot.inbox.outcome import Outcome
from review.answer_routes import ROUTE_LABELS
from review.timefmt import fmt

COLUMNS = [
    ("id", "编号"), ("status_label", "状态"), ("topic", "主题"), ("hot", "热点"),
    ("reply_window", "回复窗口"), ("deadline", "答复期限"), ("received", "收到"), ("text", "内容"),
]  # fmt: skip
ADMIN_DEFAULT = "ma_jun"


def _person(args: argparse.Namespace) -> str:
    person: str | None = getattr(args, "as_person", None)
    if not person:
        raise CliError("请用 --as 指定操作人（settings.toml 中 [[people]] 的 key 或姓名）")
    return person


def _short(text: Any, width: int = 24) -> str:
    if text is None:
        return "（无权查看）"
    flat = str(text).replace("\n", " ")
    return flat if len(flat) <= width else flat[: width - 1] + "…"


async def listing(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        views = await inbox_service.list_for(services, args.as_person or ADMIN_DEFAULT, args.state)
    if args.json:
        print_json([v.to_json() for v in views])
        return 0
    rows = [
        {**v.to_json(), "hot": "是" if v.hot else "", "text": _short(v.text),
         "deadline": fmt(v.deadline_at) + (f"（{v.deadline_note}）" if v.deadline_note else "")}
        for v in views
    ]  # fmt: skip
    print_table(rows, COLUMNS)
    return 0


async def show(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        data = await inbox_service.show(services, args.id, args.as_person or ADMIN_DEFAULT)
    if args.json:
        print_json(data)
        return 0
    print(f"留言 #{data['id']}  {data['status_label']}  主题：{data['topic'] or '未分类'}"
          f"{'  【热点】' if data['hot'] else ''}")  # fmt: skip
    print(f"收到：{data['received']}  答复期限：{data['deadline']} {data['deadline_note'] or ''}")
    print(data["reply_window"] + ("  已自动发送过渡答复" if data["interim_sent_at"] else ""))
    print(f"内容：{data['text'] if data['text'] is not None else '（无权查看）'}")
    for note in data["notes"]:
        print(f"备注（{note['at']}）：{note['text']}")
    for r in data["replies"]:
        route = ROUTE_LABELS.get(r["route"] or "cs", r["route"])
        print(f"答复 #{r['id']}（{r['at']}，{route}，{r['status_label']}）：{r['text']}")
    if data["answer_route"]:
        print(f"已答复：{ROUTE_LABELS.get(data['answer_route'], data['answer_route'])}"
              f"（{data['answered']}）")  # fmt: skip
    if public := data["public_answer"]:
        print(f"公开答复：稿件 {public['draft_id']}  {public['state_label']}"
              f"{'  ' + public['url'] if public['url'] else ''}")  # fmt: skip
    return 0


async def reply(args: argparse.Namespace) -> int:
    async with open_services(args, channels=True) as services, command_lists(services.settings):
        route = getattr(args, "route", "cs")
        done = await answering.answer(
            services, args.id, _person(args), args.text, route, surface="cli"
        )
    return _told(done)


async def transfer(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        print(
            await inbox_service.transfer(
                services, args.id, _person(args), args.dept, args.note or ""
            )
        )
    return 0


async def close(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        print(
            await inbox_service.close(
                services, args.id, _person(args), args.reason, dismiss=args.dismiss
            )
        )
    return 0


async def comment(args: argparse.Namespace) -> int:
    """精选 / 取消精选 / 删除 one WeChat article comment (the platform is called)."""
    async with open_services(args, channels=True) as services:
        done = await comments.moderate(
            services, args.id, _person(args), args.comment_action, args.reason
        )
    return _told(done)


def _told(done: Outcome) -> int:
    """Done: the confirmation on stdout, exit 0. Not done (the answer did not go out, the
    platform refused): the same words on stderr like any CLI error, exit 1."""
    if done.ok:
        print(done.text)
        return 0
    print(f"错误：{done.text}", file=sys.stderr)
    return 1
