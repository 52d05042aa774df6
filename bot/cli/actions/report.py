"""``newmedia report inspection`` (the self-inspection report, as of a date, in three formats)
and ``newmedia report sync`` (the back-office sync, at once)."""

from __future__ import annotations

import argparse

from bot.cli.actions.common import open_services
from bot.cli.actions.output import print_json
from bot.cli.actions.runner import CliError
from bot.clocks.policy import interpretation_policy, press_minimum
from review.inspection import Clocks, as_of_end_of_day
from review.inspection import build as build_report
from review.timefmt import fmt


async def inspection(args: argparse.Namespace) -> int:
    as_of = as_of_end_of_day(args.as_of) if args.as_of else None
    fmt_name = "json" if args.json else args.format
    async with open_services(args) as services, services.sessions() as session:
        if args.account and args.account not in services.settings.accounts:
            raise CliError(f"没有账号 {args.account}（见 settings.toml 的 [accounts]）")
        clocks = Clocks(interpretation_policy(services.settings), press_minimum(services.settings))
        report = await build_report(
            session, days=args.days, as_of=as_of, account=args.account, clocks=clocks
        )
    from review import inspection_formats

    if fmt_name == "json":
        print_json(report.to_json())
    elif fmt_name == "html":
        print(inspection_formats.html(report), end="")
    else:
        print(inspection_formats.text(report), end="")
    return 1 if report.vetoes else 0


async def sync(args: argparse.Namespace) -> int:
    from bot.publishing.platform_sync import listers
    from bot.publishing.platform_sync import sync as run_sync

    async with open_services(args, channels=True) as services:
        if args.account and not listers(services.channels, args.account):
            raise CliError(f"没有可同步的账号 {args.account}（微信公众号或微博账号的 key）")
        results = await run_sync(services, only=args.account)
    failed = 0
    for r in results:
        name = f"{r.account_name or r.account_key}（{r.account_key}）"
        if r.problem and not r.listed:
            failed += 1
            print(f"{name}：{r.problem}")
            continue
        line = f"{name}：平台上近期发布 {r.listed} 条，其中本系统发布 {r.ours} 条"
        if r.flagged:
            line += f"；新发现未经审核发布 {len(r.flagged)} 条，已通知主管部门"
        print(line + (f"（{r.problem}）" if r.problem else ""))
        for post in r.flagged:
            print(f"  - {post.remote_id}「{post.title}」{fmt(post.posted_at)}")
    return 1 if failed else 0
