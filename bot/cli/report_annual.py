"""``newmedia report annual`` (the year's figures, charts, CSV) and ``report stats pull``
(WeChat reads, shares and followers from the datacube APIs, as the daily tick does)."""

from __future__ import annotations

import argparse

from bot.cli.lazy import lazy

FORMATS = ("text", "json", "html")


def register(rsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    annual = rsub.add_parser(
        "annual", help="the year's figures: posts, gate blocks, review time, messages, WeChat"
    )
    annual.add_argument("--year", type=int, required=True, help="a Beijing calendar year")
    annual.add_argument("--format", choices=FORMATS, default="text")
    annual.add_argument("--csv", metavar="DIR", help="also write one CSV file per table here")
    annual.add_argument("--output", "-o", metavar="FILE", help="write the report here, not stdout")
    annual.set_defaults(handler=lazy("report_annual", "annual"))

    stats = rsub.add_parser("stats", help="WeChat statistics (datacube)")
    ssub = stats.add_subparsers(dest="stats_command", metavar="STATS", required=True)
    pull = ssub.add_parser("pull", help="pull reads, shares and followers (as the daily tick)")
    pull.add_argument("--account", metavar="KEY", help="one WeChat account (default: all)")
    pull.add_argument("--days", type=int, default=3, help="days up to yesterday (default 3)")
    pull.set_defaults(handler=lazy("report_annual", "stats_pull"))
