"""``newmedia publications``: list; retract; draft a correction notice; settle a needs_check."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.cli.common import open_db, open_services, print_json, print_table
from review.states import PUBLICATION_LABELS, PublicationStatus
from review.store import publications as store
from review.timefmt import fmt

COLUMNS = (
    ("id", "编号"),
    ("account", "账号"),
    ("title", "标题"),
    ("status_label", "状态"),
    ("due", "计划时间"),
    ("attempts", "尝试"),
    ("last_error", "最近错误"),
    ("remote_id", "平台编号"),
    ("url", "链接"),
)


async def _list(args: argparse.Namespace) -> int:
    async with open_db(args) as (_settings, sessions), sessions() as session:
        rows = await store.listing(session, status=args.state, limit=args.limit)
    out: list[dict[str, Any]] = []
    for pub, account, title in rows:
        out.append(
            {
                "id": pub.id,
                "account": account,
                "title": title,
                "status": pub.status,
                "status_label": PUBLICATION_LABELS.get(PublicationStatus(pub.status), pub.status),
                "due_at": pub.due_at,
                "due": fmt(pub.due_at),
                "attempts": pub.attempts,
                "last_error": pub.last_error,
                "remote_id": pub.remote_id,
                "url": pub.url,
                "published_at": pub.published_at,
                "late_seconds": pub.late_seconds,
            }
        )
    if args.json:
        print_json(out)
    else:
        print_table(out, COLUMNS)
    return 0


async def _with_services(args: argparse.Namespace, action: str) -> int:
    """Retract/correct call the platform: the same services as the web service, no HTTP."""
    from bot.publishing import service

    async with open_services(args, channels=True) as services:
        if action == "retract":
            message = await service.retract(services, args.id, args.person, args.reason)
        else:
            message = await service.correct(services, args.id, args.person, args.correction or "")
    print(message)
    return 0


async def _settle(args: argparse.Namespace) -> int:
    from review import resolution

    async with open_db(args) as (_settings, sessions), sessions.begin() as session:
        message = await resolution.settle(
            session,
            args.id,
            args.person,
            args.outcome,
            note=args.note,
            remote_id=args.remote_id,
            url=args.url,
        )
    print(message)
    return 0


def run_settle(args: argparse.Namespace) -> int:
    return asyncio.run(_settle(args))


def run_list(args: argparse.Namespace) -> int:
    return asyncio.run(_list(args))


def run_retract(args: argparse.Namespace) -> int:
    return asyncio.run(_with_services(args, "retract"))


def run_correct(args: argparse.Namespace) -> int:
    return asyncio.run(_with_services(args, "correct"))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("publications", help="publications: list, retract, correct")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = psub.add_parser("list", help="each publication's state, attempts, error, remote id, URL")
    ls.add_argument("--state", choices=[s.value for s in PublicationStatus])
    ls.add_argument("--limit", type=int, default=200)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=run_list)
    rt = psub.add_parser("retract", help="retract a published post (owner department reviewer)")
    rt.add_argument("id", type=int)
    rt.add_argument("--as", dest="person", required=True, help="person key or name")
    rt.add_argument("--reason", required=True)
    rt.set_defaults(handler=run_retract)
    co = psub.add_parser("correct", help="draft a correction notice and submit it for review")
    co.add_argument("id", type=int)
    co.add_argument("--as", dest="person", required=True, help="person key or name")
    co.add_argument("--correction", help="the corrected statement (optional)")
    co.set_defaults(handler=run_correct)
    st = psub.add_parser("settle", help="record what a person found for a needs_check publication")
    st.add_argument("id", type=int)
    st.add_argument("outcome", choices=["published", "failed", "retry"])
    st.add_argument("--as", dest="person", required=True, help="person key or name")
    st.add_argument("--note", required=True, help="how it was checked")
    st.add_argument("--remote-id", help="the platform's id (published)")
    st.add_argument("--url", help="the article's link (published)")
    st.set_defaults(handler=run_settle)
