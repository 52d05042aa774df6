"""``newmedia publications list``, ``cancel`` and ``settle``: the database only (retract and
correct call a platform: ``publication_fixes``)."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.actions.common import open_services, person_arg
from bot.cli.actions.output import print_json, print_table
from review import schedule_changes
from review.publishing import resolution
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


async def listing(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions() as session:
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


async def settle(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions.begin() as session:
        message = await resolution.settle(
            session,
            args.id,
            args.person,
            args.outcome,
            note=args.note,
            remote_id=args.remote_id,
            url=args.url,
            force=args.force,
        )
    print(message)
    return 0


async def cancel(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions.begin() as session:
        person = await person_arg(session, args.person)
        message = await schedule_changes.cancel_publication(session, args.id, person)
    print(message)
    return 0
