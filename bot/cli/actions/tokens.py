"""``newmedia token issue|list|revoke``: people's API tokens. A new or revoked token ends the
person's console sessions at once (``review.store.api_tokens``)."""

from __future__ import annotations

import argparse
from datetime import timedelta

from bot.cli.actions.common import open_services, person_arg
from bot.cli.actions.output import print_json, print_table
from review.store import api_tokens, audit
from review.timefmt import fmt

COLUMNS = [
    ("key", "key"),
    ("name", "姓名"),
    ("token", "令牌"),
    ("issued", "签发时间"),
    ("sessions", "控制台会话"),
]


async def issue(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions.begin() as session:
        person = await person_arg(session, args.person)
        token, ended = await api_tokens.reissue(session, person, services.clock())
        await audit.append(
            session,
            actor="cli",
            action="token.issue",
            subject_type="person",
            subject_id=person.key,
            detail={"console_sessions_ended": ended},
        )
    print(token)
    print(f"# {person.name} 的 API 令牌（只显示这一次；旧令牌已失效）", flush=True)
    if ended:
        print(f"# 已结束其 {ended} 个控制台会话", flush=True)
    return 0


async def revoke(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions.begin() as session:
        person = await person_arg(session, args.person)
        had, ended = await api_tokens.revoke(session, person, services.clock())
        await audit.append(
            session,
            actor="cli",
            action="token.revoke",
            subject_type="person",
            subject_id=person.key,
            detail={"had_token": had, "console_sessions_ended": ended},
        )
    state = "API 令牌已作废" if had else "此人原本没有 API 令牌"
    print(f"{person.name}（{person.key}）：{state}；已结束 {ended} 个控制台会话")
    return 0


async def listing(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions() as session:
        console = services.settings.file.console
        now = services.clock()
        rows = await api_tokens.listing(
            session,
            seen_since=now - timedelta(minutes=console.idle_minutes),
            created_since=now - timedelta(hours=console.absolute_hours),
        )
    if args.json:
        print_json(
            [
                {
                    "key": r.key,
                    "name": r.name,
                    "active": r.active,
                    "has_token": r.has_token,
                    "issued_at": r.issued_at,
                    "console_sessions": r.console_sessions,
                }
                for r in rows
            ]
        )
        return 0
    print_table(
        [
            {
                "key": r.key,
                "name": r.name if r.active else f"{r.name}（已停用）",
                "token": "有" if r.has_token else "无",
                "issued": fmt(r.issued_at) if r.issued_at else ("未知" if r.has_token else ""),
                "sessions": r.console_sessions,
            }
            for r in rows
        ],
        COLUMNS,
    )
    return 0
