"""``newmedia report inspection``: the self-inspection report (单项否决 / 扣分项)."""

from __future__ import annotations

import argparse

from bot.cli.actions.common import open_services
from bot.cli.actions.output import print_json
from review.inspection import build as build_report
from review.timefmt import fmt

LEVELS = {"veto": "单项否决", "deduct": "扣分项", "ok": "符合"}


async def inspection(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions() as session:
        report = await build_report(session, days=args.days)
    if args.json:
        print_json(report.to_json())
    else:
        print(f"政务新媒体自查报告（{fmt(report.since)} — {fmt(report.until)}）")
        print(f"单项否决 {report.vetoes} 项，扣分项 {report.deductions} 项")
        for f in report.findings:
            print(f"[{LEVELS[f.level]}] {f.item}：{f.detail}")
    return 1 if report.vetoes else 0
