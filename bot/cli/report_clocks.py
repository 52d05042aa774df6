"""``newmedia report digest|quarterly|interpretations``: the seed's clocks (issue 17), added to
``report`` by ``bot/cli/report.py``."""

from __future__ import annotations

import argparse

from bot.cli.lazy import lazy


def register(rsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dig = rsub.add_parser("digest", help="a department head's weekly digest (--send: notify)")
    dig.add_argument("--department", required=True, help="department key or name")
    dig.add_argument("--as-of", dest="as_of", help='Beijing time, default now: "2026-12-07 09:00"')
    dig.add_argument(
        "--send", action="store_true", help="store it for the head's chat (once per ISO week)"
    )
    dig.set_defaults(handler=lazy("report_clocks", "digest_report"))

    qtr = rsub.add_parser(
        "quarterly", help="press releases / conferences per quarter against the minimum"
    )
    qtr.add_argument("--year", type=int, help="default: this year")
    qtr.add_argument("--json", action="store_true")
    qtr.set_defaults(handler=lazy("report_clocks", "quarterly"))

    interp = rsub.add_parser(
        "interpretations", help="规范性文件 whose 政策解读 is due, overdue or was late"
    )
    interp.add_argument("--as-of", dest="as_of", help="Beijing time, default now")
    interp.add_argument("--json", action="store_true")
    interp.set_defaults(handler=lazy("report_clocks", "interpretations_report"))
