"""``newmedia report digest|quarterly|interpretations``: the same domain functions the ticks
and the inspection report call (``review.digest``, ``review.press``, ``review.interpretations``)."""

from __future__ import annotations

import argparse
from datetime import datetime

from bot.cli.actions.common import open_services
from bot.cli.actions.output import print_json
from bot.cli.actions.runner import CliError
from bot.clocks.policy import interpretation_policy, press_minimum
from review import digest, interpretations, press
from review.store import directory
from review.timefmt import local_date, parse_local, short_time

SENT = {
    "sent": "已交给通知渠道，负责人将在企业微信收到。",
    "already": "本周摘要已发送过（每个部门每周一次），未重复发送。",
    "no_head": "该部门未设负责人（settings.toml 中 [[departments]] 的 head），未发送。",
}


def _as_of(args: argparse.Namespace, now: datetime) -> datetime:
    if not getattr(args, "as_of", None):
        return now
    try:
        return parse_local(args.as_of)
    except ValueError as exc:
        raise CliError(str(exc)) from None


async def digest_report(args: argparse.Namespace) -> int:
    async with open_services(args) as services:
        now = _as_of(args, services.clock())
        window = services.settings.file.digest.window_hours
        async with services.sessions.begin() as session:
            dept = await directory.department_by_name_or_key(session, args.department)
            if dept is None:
                raise CliError(
                    f"未知的部门「{args.department}」（settings.toml 中 [[departments]] 的 key 或名称）"
                )
            facts = await digest.collect(session, dept, now, window)
            outcome = await digest.send(session, dept, facts) if args.send else None
    print(digest.compose(facts))
    if outcome is not None:
        print(f"\n{SENT[outcome]}")
    return 0


async def quarterly(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions() as session:
        now = services.clock()
        year = args.year or local_date(now).year
        minimum = press_minimum(services.settings)
        quarters = await press.quarterly_in(session, year, minimum, now)
    if args.json:
        print_json([q.to_json() for q in quarters])
        return 0
    print(f"{year}年新闻发布稿/新闻发布会（每季度至少 {minimum} 次）")
    if not quarters:
        print("该年尚未开始")
    for q in quarters:
        print(f"{q.label}：{q.count} 次 · {press.STATE_LABELS[q.state]}")
        for item in q.items:
            print(f"  #{item.draft_id}「{item.title}」{item.kind} {short_time(item.published_at)}")
    return 1 if any(q.state == press.SHORT for q in quarters) else 0


async def interpretations_report(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions() as session:
        now = _as_of(args, services.clock())
        policy = interpretation_policy(services.settings)
        items = await interpretations.outstanding_in(session, now, policy)
    if args.json:
        print_json(
            [
                {
                    "draft_id": a.doc.draft_id,
                    "title": a.doc.title,
                    "department": a.doc.department,
                    "published_at": a.doc.published_at.isoformat(),
                    "deadline": a.deadline.isoformat(),
                    "state": a.state,
                    "interpretation": a.first.draft_id if a.first else None,
                    "evidence": list(a.evidence),
                }
                for a in items
            ]
        )
        return 0
    if not items:
        print(
            f"谁起草、谁解读：已发布的规范性文件均已在 {policy.working_days} 个工作日内发布政策解读"
        )
    for a in items:
        print(f"[{a.label}] {a.doc.department}：{'；'.join(a.evidence)}")
    return 1 if any(a.state != interpretations.DUE for a in items) else 0
