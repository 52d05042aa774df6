"""``newmedia audit verify|list``: the hash-chained audit log."""

from __future__ import annotations

import argparse

from bot.cli.actions.common import open_services
from bot.cli.actions.output import print_json, print_table
from review.audit_chain import headline
from review.store import audit
from review.timefmt import fmt


async def verify(args: argparse.Namespace) -> int:
    """Every break in the chain, not just the first; exit 1 when there is any."""
    async with open_services(args) as services, services.sessions() as session:
        checked, breaks = await audit.breaks(session)
    if args.json:
        print_json(
            {
                "intact": not breaks,
                "checked": checked,
                "breaks": [{**b.as_json(), "text": b.describe()} for b in breaks],
            }
        )
    else:
        print(headline(checked, breaks))
        for b in breaks:
            print(f"  {b.describe()}")
    return 1 if breaks else 0


async def listing(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions() as session:
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
