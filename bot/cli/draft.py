"""``newmedia draft new|list|show|edit|submit``: the editor's command line."""

from __future__ import annotations

import argparse
import asyncio
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, open_db, person_arg, print_json, print_table
from bot.domain_args import safe_domains, with_default_cover
from review import drafts
from review.store import directory
from review.store import drafts as store
from review.timefmt import parse_local
from review.views import draft_view

FRONT_KEYS = {"title", "kind", "source", "author", "digest", "cover", "accounts", "at"}


def _read_draft_file(path: str) -> tuple[dict[str, Any], str]:
    from review.frontmatter import FrontMatterError, parse_draft_file

    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"文件不存在：{path}") from None
    except UnicodeDecodeError:
        raise CliError(f"文件不是 UTF-8 文本：{path}") from None
    try:
        meta, body = parse_draft_file(text)
    except FrontMatterError as exc:
        raise CliError(f"{path}：前置信息（front matter）有误：{exc}") from None
    unknown = sorted(set(meta) - FRONT_KEYS)
    if unknown:
        raise CliError(f"{path}：未知的前置字段 {unknown}，可用：{sorted(FRONT_KEYS)}")
    return dict(meta), body


def _input_from(args: argparse.Namespace, meta: dict[str, Any], body: str) -> drafts.DraftInput:
    accounts = list(args.account or meta.get("accounts") or [])
    when = args.at or meta.get("at")
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
    )


def _cover(value: object) -> str | None:
    if value is None or value is False:
        return None
    if not isinstance(value, str):
        raise CliError('cover 应为封面图片的路径，例如 cover = "images/cover.jpg"')
    return value


async def _author_key(session: Any, draft_id: int) -> str | None:
    """The draft's author: who edits or submits when ``--as`` is not given."""
    draft = await store.get_draft(session, draft_id)
    author = await directory.person_by_id(session, draft.author_id) if draft else None
    return author.key if author else None


def _who(args: argparse.Namespace) -> str | None:
    return getattr(args, "as_person", None) or os.environ.get("NEWMEDIA_AS")


async def _new(args: argparse.Namespace) -> int:
    meta, body = _read_draft_file(args.file)
    inp = _input_from(args, meta, body)
    async with open_db(args) as (settings, sessions):
        inp = with_default_cover(settings, inp)
        default = next((p.key for p in settings.people.values() if "editor" in p.roles), None)
        async with sessions.begin() as session:
            editor = await person_arg(session, _who(args), default=default)
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


async def _list(args: argparse.Namespace) -> int:
    async with open_db(args) as (_settings, sessions), sessions() as session:
        account_id = None
        if args.account:
            account = await directory.account_by_key(session, args.account)
            if account is None:
                raise CliError(f"未知的账号「{args.account}」")
            account_id = account.id
        rows = await store.list_drafts(
            session, status=args.state, account_id=account_id, limit=args.limit
        )
        views = [await draft_view(session, d) for d in rows]
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


async def _show(args: argparse.Namespace) -> int:
    async with open_db(args) as (_settings, sessions), sessions() as session:
        draft, rev = await drafts.load(session, args.id)
        view = await draft_view(session, draft, rev, full=True)
    if args.json:
        print_json(view)
        return 0
    print(
        f"稿件 {view['id']}「{view['title']}」 {view['status_label']} · 第 {view['revision']} 版 · {view['kind']}"
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


async def _edit(args: argparse.Namespace) -> int:
    meta, body = _read_draft_file(args.file)
    inp = _input_from(args, meta, body)
    async with open_db(args) as (settings, sessions):
        async with sessions.begin() as session:
            editor = await person_arg(
                session, _who(args), default=await _author_key(session, args.id)
            )
            if not inp.accounts:
                targets = await store.target_accounts(session, args.id)
                inp = replace(inp, accounts=[a.key for a in targets])
            inp = with_default_cover(settings, inp)
            draft, rev, previous = await drafts.edit(session, editor, args.id, inp)
            # one transaction: an edit whose review cannot restart is not saved either
            restarted = previous.value in ("in_review", "approved", "scheduled")
            if restarted:
                from review.queue import submit

                await submit(session, draft.id, editor, safe_domains=safe_domains(settings))
    print(f"稿件 {draft.id} 已保存为第 {rev.number} 版")
    if restarted:
        print("稿件已在审核中或已通过：修改后审核流程已重新开始（先审后发）")
    return 0


async def _submit(args: argparse.Namespace) -> int:
    from review.queue import submit

    async with open_db(args) as (settings, sessions):
        async with sessions.begin() as session:
            actor = await person_arg(
                session, _who(args), default=await _author_key(session, args.id)
            )
            result = await submit(session, args.id, actor, safe_domains=safe_domains(settings))
    if result.blocked:
        print(f"稿件 {args.id} 未通过自动检查，已退回编辑：")
        for reason in result.reasons:
            print(f"  ✗ {reason}")
        print("修改后：newmedia draft edit ID FILE，再提交；惩戒性公示可由处室负责人 override")
        return 3
    print(f"稿件 {args.id}（第 {result.revision} 版）已提交审核，自动检查：{result.verdict}")
    for warning in result.warnings:
        print(f"  ! {warning}")
    print(f"已生成 {len(result.tasks)} 个审核任务（各账号的第一道审核）")
    return 0


def _sync(fn: Any) -> Any:
    return lambda args: asyncio.run(fn(args))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("draft", help="create, edit, list and submit drafts")
    dsub = p.add_subparsers(dest="draft_command", metavar="ACTION", required=True)

    new = dsub.add_parser("new", help="create a draft from a Markdown file (TOML front matter)")
    new.add_argument("file")
    for q in (new,):
        q.add_argument("--account", action="append", help="target account key (repeatable)")
        q.add_argument("--at", help='publish time, Beijing time: "2026-12-01 09:00"')
        q.add_argument("--kind", help="通知公告 政策解读 办事指南 工作动态 转载 …")
        q.add_argument("--as", dest="as_person", help="person key or name (default $NEWMEDIA_AS)")
        q.add_argument("--json", action="store_true")
    new.set_defaults(handler=_sync(_new))

    ls = dsub.add_parser("list", help="list drafts")
    ls.add_argument("--state", help="draft status, e.g. in_review")
    ls.add_argument("--account", help="only drafts for this account")
    ls.add_argument("--limit", type=int, default=100)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=_sync(_list))

    show = dsub.add_parser("show", help="show one draft")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_sync(_show))

    edit = dsub.add_parser("edit", help="save a new revision from a file")
    edit.add_argument("id", type=int)
    edit.add_argument("file")
    edit.add_argument("--account", action="append")
    edit.add_argument("--at")
    edit.add_argument("--kind")
    edit.add_argument("--as", dest="as_person")
    edit.set_defaults(handler=_sync(_edit))

    submit = dsub.add_parser("submit", help="run the gate and send to review")
    submit.add_argument("id", type=int)
    submit.add_argument("--as", dest="as_person")
    submit.set_defaults(handler=_sync(_submit))
