"""``newmedia audit verify|list``: the hash-chained audit log."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import open_db, print_json, print_table
from review.store import audit
from review.timefmt import fmt


async def _verify(args: argparse.Namespace) -> int:
    async with open_db(args) as (_settings, sessions), sessions() as session:
        checked, problem = await audit.verify(session)
    if problem:
        print(f"BROKEN after {checked} event(s): {problem}")
        return 1
    print(f"OK — {checked} event(s), chain intact")
    return 0


async def _list(args: argparse.Namespace) -> int:
    async with open_db(args) as (_settings, sessions), sessions() as session:
        events = await audit.recent(
            session, limit=args.limit, subject=args.subject, action=args.action
        )
    rows = [
        {
            "seq": e.seq,
            "at": e.at.isoformat(),
            "at_local": fmt(e.at),
            "actor": e.actor,
            "action": e.action,
            "subject": f"{e.subject_type}:{e.subject_id}",
            "detail": e.detail,
            "hash": e.hash,
        }
        for e in reversed(events)
    ]
    if args.json:
        print_json(rows)
    else:
        print_table(
            [{**r, "detail": str(r["detail"])[:60]} for r in rows],
            [
                ("seq", "序号"),
                ("at_local", "时间"),
                ("actor", "操作人"),
                ("action", "动作"),
                ("subject", "对象"),
                ("detail", "详情"),
            ],
        )
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("audit", help="the append-only audit log")
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    asub.add_parser("verify", help="check the hash chain").set_defaults(
        handler=lambda a: asyncio.run(_verify(a))
    )
    ls = asub.add_parser("list", help="recent events")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--subject", help="e.g. draft:12")
    ls.add_argument("--action", help="e.g. draft.create")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=lambda a: asyncio.run(_list(a)))
