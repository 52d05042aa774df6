"""``newmedia report``: ``inspection`` (单项否决 / 扣分项 per account, with evidence), ``sync``
(the platforms' own lists of posts, back-office posts too), and the others' reports."""

from __future__ import annotations

import argparse

from bot.cli import report_annual, report_clocks
from bot.cli.lazy import lazy


def as_of_date(value: str) -> str:
    """``--as-of``: a calendar date, refused in Chinese otherwise (read in the action)."""
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写作 2026-12-01：{value!r}") from None
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("report", help="reports for inspections")
    rsub = p.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    insp = rsub.add_parser(
        "inspection", help="self-inspection: 单项否决 and 扣分项 (exit 1 when any veto)"
    )
    insp.add_argument("--days", type=int, default=30, help="the period (default 30 days)")
    insp.add_argument("--account", metavar="KEY", help="one account (default: all, and global)")
    insp.add_argument(
        "--as-of",
        metavar="DATE",
        type=as_of_date,
        help="as of the end of DATE (YYYY-MM-DD, 北京时间)",
    )
    insp.add_argument("--format", choices=("text", "json", "html"), default="text")
    insp.add_argument("--json", action="store_true", help="the same as --format json")
    insp.set_defaults(handler=lazy("report", "inspection"))
    sync = rsub.add_parser(
        "sync", help="list posts on the platforms (back offices too) now, as the daily tick does"
    )
    sync.add_argument("--account", metavar="KEY", help="one account (default: all)")
    sync.set_defaults(handler=lazy("report", "sync"))
    report_clocks.register(rsub)  # digest, quarterly, interpretations
    report_annual.register(rsub)  # annual, stats pull
