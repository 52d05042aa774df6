"""``newmedia report inspection``: the self-inspection report (单项否决 / 扣分项)."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import open_db, print_json
from review import inspection
from review.timefmt import fmt

LEVELS = {"veto": "单项否决", "deduct": "扣分项", "ok": "符合"}


async def _inspection(args: argparse.Namespace) -> int:
    async with open_db(args) as (_settings, sessions), sessions() as session:
        report = await inspection.build(session, days=args.days)
    if args.json:
        print_json(report.to_json())
    else:
        print(f"政务新媒体自查报告（{fmt(report.since)} — {fmt(report.until)}）")
        print(f"单项否决 {report.vetoes} 项，扣分项 {report.deductions} 项")
        for f in report.findings:
            print(f"[{LEVELS[f.level]}] {f.item}：{f.detail}")
    return 1 if report.vetoes else 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("report", help="reports for inspections")
    rsub = p.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    insp = rsub.add_parser(
        "inspection", help="self-inspection: 单项否决 and 扣分项 (exit 1 when any veto)"
    )
    insp.add_argument("--days", type=int, default=30, help="the period (default 30 days)")
    insp.add_argument("--json", action="store_true")
    insp.set_defaults(handler=lambda a: asyncio.run(_inspection(a)))
