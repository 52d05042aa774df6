"""``newmedia draft new|list|show``: the editor's command line, and the draft file it reads.

``edit`` and ``submit`` run the gate (and load jieba), so they live in ``draft_submit``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from bot.cli.actions.common import open_services, person_arg
from bot.cli.actions.output import print_json, print_table
from bot.cli.actions.runner import CliError
from review import drafts
from review.frontmatter import FrontMatterError, parse_draft_file
from review.states import state_filter, state_names
from review.store import directory
from review.store import drafts as store
from review.timefmt import parse_local
from review.views import draft_view

NO_AUTHOR = (
    "请用 --as 指定作者（settings.toml 中 [[people]] 的 key 或姓名，或设置 NEWMEDIA_AS）："
    "稿件记录谁写的，不替你猜"
)


def read_draft_file(path: str) -> tuple[dict[str, Any], str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"文件不存在：{path}") from None
    except UnicodeDecodeError:
        raise CliError(f"文件不是 UTF-8 文本：{path}") from None
    except IsADirectoryError:
        raise CliError(f"{path} 是文件夹，请给出稿件文件（.md）") from None
    except OSError as exc:  # permissions, a device, …
        raise CliError(f"无法读取 {path}：{exc.strerror or exc}") from None
    try:
        meta, body = parse_draft_file(text)
    except FrontMatterError as exc:
        raise CliError(f"{path}：前置信息（front matter）有误：{exc}") from None
    return dict(meta), body


def draft_input(args: argparse.Namespace, meta: dict[str, Any], body: str) -> drafts.DraftInput:
    accounts = list(args.account or meta.get("accounts") or [])
    when = args.at or meta.get("at")
    if getattr(args, "no_at", False) and when:
        raise CliError("--no-at 与发布时间（--at 或 at）不能同时使用")
    if isinstance(when, str):
        try:
            publish_at = parse_local(when)
        except ValueError as exc:
            raise CliError(str(exc)) from None
    elif when is None:
        publish_at = None
    else:
        raise CliError('at 必须是 "YYYY-MM-DD HH:MM" 形式的字符串（北京时间）')
    title = str(meta.get("title") or "").strip()
    if not title:
        raise CliError("缺少标题：在前置信息里写 title，或用第一行「# 标题」")
    return drafts.DraftInput(
        title=title,
        body=body,
        accounts=[str(a) for a in accounts],
        kind=str(args.kind or meta.get("kind") or "工作动态"),
        source=(str(meta["source"]) if meta.get("source") else None),
        author_name=str(meta.get("author") or ""),
        digest=str(meta.get("digest") or ""),
        cover_path=_cover(meta.get("cover")),
        publish_at=publish_at,
        clear_schedule=bool(getattr(args, "no_at", False)),
        disclosure=_disclosure(args, meta),
        interprets=_interprets(args, meta),
    )


def _disclosure(args: argparse.Namespace, meta: dict[str, Any]) -> str | None:
    """``--disclosure`` over front matter; None: the default on new, the draft's own on edit."""
    value = getattr(args, "disclosure", None) or meta.get("disclosure")
    return str(value) if value else None


def _interprets(args: argparse.Namespace, meta: dict[str, Any]) -> int | None:
    value = getattr(args, "interprets", None)
    if value is None and meta.get("interprets") is not None:
        value = int(meta["interprets"])
    return value


def _cover(value: object) -> str | None:
    if value is None or value is False:
        return None
    if not isinstance(value, str):
        raise CliError('cover 应为封面图片的路径，例如 cover = "images/cover.jpg"')
    return value


async def author_key(session: Any, draft_id: int) -> str | None:
    """The draft's author: who edits or submits when ``--as`` is not given."""
    draft = await store.get_draft(session, draft_id)
    author = await directory.person_by_id(session, draft.author_id) if draft else None
    return author.key if author else None


def acting_person(args: argparse.Namespace) -> str | None:
    return getattr(args, "as_person", None) or os.environ.get("NEWMEDIA_AS")


async def new(args: argparse.Namespace) -> int:
    who = acting_person(args)
    if not who:
        raise CliError(NO_AUTHOR)
    meta, body = read_draft_file(args.file)
    inp = draft_input(args, meta, body)
    async with open_services(args) as services:
        inp = await services.prepare_draft(inp)
        async with services.sessions.begin() as session:
            editor = await person_arg(session, who)
            draft, rev = await drafts.create(session, editor, inp)
            view = await draft_view(session, draft, rev)
    if args.json:
        print_json(view)
    else:
        print(
            f"已创建稿件 {view['id']}（第 {view['revision']} 版）「{view['title']}」，作者 {view['author_name']}"
        )
        print(f"下一步：newmedia draft submit {view['id']}  提交审核")
    return 0


async def listing(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions() as session:
        account_id = None
        if args.account:
            account = await directory.account_by_key(session, args.account)
            if account is None:
                raise CliError(f"未知的账号「{args.account}」")
            account_id = account.id
        status, shown = None, None
        if args.state:
            wanted = state_filter(args.state)
            if wanted is None:
                raise CliError(f"未知的状态「{args.state}」，可选：{'、'.join(state_names())}")
            status, shown = wanted
        # a shown state is derived from the publications: read every draft of the status
        limit = args.limit if shown is None else None
        rows = await store.list_drafts(session, status=status, account_id=account_id, limit=limit)
        views = [await draft_view(session, d) for d in rows]
        if shown is not None:
            views = [v for v in views if v["state"] == shown][: args.limit]
    if args.json:
        print_json(views)
    else:
        print_table(
            [{**v, "accounts": ",".join(v["accounts"])} for v in views],
            [
                ("id", "编号"),
                ("status_label", "状态"),
                ("revision", "版本"),
                ("title", "标题"),
                ("kind", "类型"),
                ("accounts", "账号"),
                ("publish_at_local", "发布时间"),
                ("author_name", "作者"),
            ],
        )
    return 0


async def show(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions() as session:
        draft, rev = await drafts.load(session, args.id)
        view = await draft_view(session, draft, rev, full=True)
    if args.json:
        print_json(view)
        return 0
    print(
        f"稿件 {view['id']}「{view['title']}」 {view['status_label']} · 第 {view['revision']} 版 · {view['kind']}"
        f" · {view['disclosure']}"
        + (f" · 解读稿件 #{view['interprets']}" if view["interprets"] else "")
    )
    print(
        f"作者：{view['author_name']}  账号：{'、'.join(view['account_names'])}  发布：{view['publish_at_local']}"
    )
    if view["source"]:
        print(f"来源：{view['source']}")
    print(f"内容指纹：{view['content_hash'][:16]}…  自动检查：{view['gate'] or '未运行'}")
    print("-" * 40)
    print(view["body"])
    return 0
