"""``newmedia report annual`` and ``newmedia report stats pull``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.cli.actions.common import open_services
from bot.cli.actions.runner import CliError
from bot.platforms.stats import pull_stats
from review.reports import charts, formats
from review.reports import service as reports
from review.reports.annual import AnnualReport
from review.workdays import parse_dates


async def annual(args: argparse.Namespace) -> int:
    if not 2000 <= args.year <= 2100:
        raise CliError(f"年份「{args.year}」不在 2000—2100 之间")
    async with open_services(args) as services, services.sessions() as session:
        cal = services.settings.file.calendar
        now = services.clock()
        report = await reports.annual(
            session, args.year, now=now,
            extra_holidays=parse_dates(cal.extra_holidays),
            extra_workdays=parse_dates(cal.extra_workdays),
        )  # fmt: skip
    if args.format == "json":
        out = json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"
    elif args.format == "html":
        at = reports.as_of(args.year, now)
        out = formats.html(report, charts.annual_charts(report), at)
    else:
        out = formats.text(report)
    _write(args, report, out)
    return 0


def _write(args: argparse.Namespace, report: AnnualReport, out: str) -> None:
    """The report to ``--output`` or stdout; with ``--csv DIR`` one file per table (UTF-8
    with BOM, so a spreadsheet opens the Chinese right)."""
    if args.csv:
        folder = Path(args.csv)
        folder.mkdir(parents=True, exist_ok=True)
        for table in report.tables:
            path = folder / f"annual-{args.year}-{table.key}.csv"
            path.write_text(formats.csv_text(table), encoding="utf-8-sig")
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)


async def stats_pull(args: argparse.Namespace) -> int:
    if args.days < 1 or args.days > 366:
        raise CliError("--days 须在 1 到 366 之间")
    async with open_services(args, channels=True) as services:
        if args.account and args.account not in services.channels:
            raise CliError(f"没有账号「{args.account}」（settings.toml 中 [[accounts]] 的 key）")
        result = await pull_stats(
            services.sessions, services.channels, days=args.days, account=args.account,
            clock=services.clock,
        )  # fmt: skip
    print(f"微信数据统计 {result.first.isoformat()} — {result.last.isoformat()}")
    for key in sorted(result.articles):
        print(f"  {key}：文章 {result.articles[key]} 行，关注 {result.followers[key]} 行")
    for key, reason in sorted(result.failed.items()):
        print(f"  {key}：拉取失败：{reason}")
    if not result.articles and not result.failed:
        print("  没有微信公众号账号")
    return 1 if result.failed else 0
