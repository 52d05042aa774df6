"""``newmedia draft new|list|show|edit|submit|reschedule|cancel``: the editor's command line."""

from __future__ import annotations

import argparse

from bot.cli.arg_types import record_id
from bot.cli.lazy import lazy


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("draft", help="create, edit, list and submit drafts")
    dsub = p.add_subparsers(dest="draft_command", metavar="ACTION", required=True)

    new = dsub.add_parser("new", help="create a draft from a Markdown file (TOML front matter)")
    new.add_argument("file")
    new.add_argument("--account", action="append", help="target account key (repeatable)")
    new.add_argument("--at", help='publish time, Beijing time: "2026-12-01 09:00"')
    new.add_argument("--kind", help="通知公告 政策解读 办事指南 工作动态 转载 …")
    _seed_clock_args(new)
    new.add_argument(
        "--as", dest="as_person", help="the author: person key or name (or $NEWMEDIA_AS); required"
    )
    new.add_argument("--json", action="store_true")
    new.set_defaults(handler=lazy("draft", "new"))

    ls = dsub.add_parser("list", help="list drafts")
    ls.add_argument(
        "--state", help="状态：审核中 / 待发布 / 已发布 / 已撤回 … (or in_review, published …)"
    )
    ls.add_argument("--account", help="only drafts for this account")
    ls.add_argument("--limit", type=int, default=100)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=lazy("draft", "listing"))

    show = dsub.add_parser("show", help="show one draft")
    show.add_argument("id", type=record_id)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=lazy("draft", "show"))

    edit = dsub.add_parser("edit", help="save a new revision from a file")
    edit.add_argument("id", type=record_id)
    edit.add_argument("file")
    edit.add_argument("--account", action="append")
    edit.add_argument("--at", help="new publish time; without it the draft keeps its time")
    edit.add_argument(
        "--no-at", action="store_true", help="drop the publish time (the account's slots)"
    )
    edit.add_argument("--kind")
    _seed_clock_args(edit)
    edit.add_argument("--as", dest="as_person")
    edit.set_defaults(handler=lazy("draft_submit", "edit"))

    submit = dsub.add_parser("submit", help="run the gate and send to review")
    submit.add_argument("id", type=record_id)
    submit.add_argument("--as", dest="as_person")
    submit.set_defaults(handler=lazy("draft_submit", "submit"))

    mask = dsub.add_parser("mask", help="apply the gate's de-identification as a new revision")
    mask.add_argument("id", type=record_id)
    mask.add_argument("--as", dest="as_person", help="person key or name (default: the author)")
    mask.set_defaults(handler=lazy("draft_mask", "mask"))

    res = dsub.add_parser("reschedule", help="move a draft's publish time (before it goes out)")
    res.add_argument("id", type=record_id)
    res.add_argument("--at", required=True, help='Beijing time: "2026-12-03 09:00"')
    res.add_argument("--as", dest="as_person", required=True, help="person key or name")
    res.set_defaults(handler=lazy("draft_schedule", "reschedule"))

    can = dsub.add_parser("cancel", help="cancel every still-scheduled publication of a draft")
    can.add_argument("id", type=record_id)
    can.add_argument("--as", dest="as_person", required=True, help="person key or name")
    can.set_defaults(handler=lazy("draft_schedule", "cancel"))


def _seed_clock_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--disclosure",
        choices=("主动公开", "依申请公开", "不予公开"),
        help="公开属性 (default 主动公开; an edit without it keeps the draft's); 不予公开 never goes out",
    )
    p.add_argument(
        "--interprets",
        type=record_id,
        metavar="ID",
        help="a 政策解读: the 规范性文件 draft it interprets (谁起草、谁解读: same department)",
    )
