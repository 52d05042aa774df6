"""``newmedia wording``: the 口径 library from the command line (bot/wordings/service.py does
the work; everyone acts as a person named with ``--as``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.actions.common import open_services
from bot.cli.actions.output import print_json, print_table
from bot.cli.actions.runner import CliError
from bot.wordings import service
from review.keyword_answers import load_keyword_answers
from review.wordings.library import Proposal
from review.wordings.policy import STATUS_LABELS, kind_of
from review.wordings.views import EntryView

COLUMNS = [
    ("id", "编号"), ("kind_label", "类别"), ("title", "标题"), ("department", "所属处室"),
    ("live", "在用版本"), ("newest", "最新版本"), ("text", "口径"),
]  # fmt: skip


def _person(args: argparse.Namespace) -> str:
    person: str | None = getattr(args, "as_person", None)
    if not person:
        raise CliError("请用 --as 指定操作人（settings.toml 中 [[people]] 的 key 或姓名）")
    return person


def _short(text: str | None, width: int = 30) -> str:
    if text is None:
        return "（尚无审定版本）"
    flat = text.replace("\n", " ")
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _rows(views: list[EntryView]) -> list[dict[str, object]]:
    return [
        {**v.to_json(), "live": f"v{v.live_version}" if v.live_version else "—",
         "newest": STATUS_LABELS.get(v.newest_status or "", "—"), "text": _short(v.text)}
        for v in views
    ]  # fmt: skip


def _text(args: argparse.Namespace) -> str:
    if args.file:
        try:
            return Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"读不了正文文件 {args.file}：{exc}") from exc
    return str(args.text)


def _proposal(args: argparse.Namespace) -> Proposal:
    keywords = tuple((args.keywords or "").split(",")) if args.keywords else ()
    return Proposal(title=args.title or "", text=_text(args), keywords=keywords, topic=args.topic)


def _kind(args: argparse.Namespace) -> str | None:
    return kind_of(args.kind) if getattr(args, "kind", None) else None


async def listing(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        views = await service.listing(services, _kind(args))
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        print_table(_rows(views), COLUMNS)
    return 0


async def search(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        views = await service.search(services, args.query, _kind(args))
    if args.json:
        print_json([v.to_json() for v in views])
    elif not views:
        print(f"没有找到含「{args.query}」的已审定口径。")
    else:
        for v in views:
            print(f"口径{v.id}【{v.kind_label}·{v.title}】（{v.department}，v{v.live_version}）")
            print(f"  {v.text}")
    return 0


async def show(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        v = await service.show(services, args.id)
    if args.json:
        print_json(v.to_json())
        return 0
    print(f"口径{v.id}【{v.kind_label}】{v.title}  所属：{v.department}  主题：{v.topic or '—'}")
    print(f"关键词：{'、'.join(v.keywords) or '—'}")
    print(f"在用：{f'v{v.live_version}' if v.live_version else '尚无审定版本'}")
    for ver in v.versions:
        extra = f"，待{ver.awaiting}" if ver.awaiting else ""
        due = f"，须于 {ver.due_at} 前上线" if ver.due_at else ""
        print(f"— v{ver.number} {ver.status_label}{extra}{due}（{ver.author}，{ver.created_at}）")
        print(f"  {ver.text}")
        for a in ver.approvals:
            verdict = "通过" if a.decision == "approved" else "驳回"
            print(f"  · {a.stage}：{a.by} {verdict}（{a.at}）{a.note or ''}")
    return 0


async def new(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        kind = kind_of(args.kind)
        view = await service.create(services, _person(args), kind, _proposal(args), args.department)
        print(f"已新建{view.kind_label}{view.id}「{view.title}」v1（草稿）。")
        if args.submit:
            print(await service.submit(services, _person(args), view.id))
    return 0


async def edit(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        number = await service.edit(services, _person(args), args.id, _proposal(args))
        print(f"口径{args.id} 已生成新版本 v{number}（草稿；在用版本审定前继续使用）。")
        if args.submit:
            print(await service.submit(services, _person(args), args.id))
    return 0


async def submit(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        print(await service.submit(services, _person(args), args.id))
    return 0


async def approve(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        print(await service.decide(services, _person(args), args.id, approve=True, note=args.note))
    return 0


async def reject(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        print(
            await service.decide(services, _person(args), args.id, approve=False, note=args.reason)
        )
    return 0


async def import_guide(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        path = Path(args.file) if args.file else services.settings.keyword_answers
        try:
            seed = load_keyword_answers(path)
        except (OSError, ValueError) as exc:
            raise CliError(f"办事指南文件 {path} 读取失败：{exc}") from exc
        titles = await service.import_guide(services, seed)
    if titles:
        print(f"已导入 {len(titles)} 条办事指南（系统审定，已记入审计日志）：{'、'.join(titles)}")
    else:
        print("文件中的办事指南均已在口径库中；修改请用 newmedia wording edit 并提交审核。")
    return 0
