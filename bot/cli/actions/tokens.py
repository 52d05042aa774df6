"""``newmedia token issue PERSON``: a new API token (the old one stops working)."""

from __future__ import annotations

import argparse

from bot.cli.actions.common import open_services, person_arg
from review.store import audit, directory


async def issue(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions.begin() as session:
        person = await person_arg(session, args.person)
        token = await directory.issue_token(session, person)
        await audit.append(
            session, actor="cli", action="token.issue", subject_type="person", subject_id=person.key
        )
    print(token)
    print(f"# {person.name} 的 API 令牌（只显示这一次；旧令牌已失效）", flush=True)
    return 0
