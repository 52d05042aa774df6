"""``newmedia report inspection``: the self-inspection report (单项否决 / 扣分项)."""

from __future__ import annotations

import argparse

from bot.cli.lazy import lazy


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("report", help="reports for inspections")
    rsub = p.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    insp = rsub.add_parser(
        "inspection", help="self-inspection: 单项否决 and 扣分项 (exit 1 when any veto)"
    )
    insp.add_argument("--days", type=int, default=30, help="the period (default 30 days)")
    insp.add_argument("--json", action="store_true")
    insp.set_defaults(handler=lazy("report", "inspection"))
