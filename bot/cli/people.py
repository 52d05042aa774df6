"""``newmedia people list`` and ``newmedia token issue PERSON``: who may use the API."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import open_db, person_arg, print_json, print_table
from review.store import audit, directory


async def _issue(args: argparse.Namespace) -> int:
    async with open_db(args) as (_settings, sessions), sessions.begin() as session:
        person = await person_arg(session, args.person)
        token = await directory.issue_token(session, person)
        await audit.append(
            session, actor="cli", action="token.issue", subject_type="person", subject_id=person.key
        )
    print(token)
    print(f"# {person.name} 的 API 令牌（只显示这一次；旧令牌已失效）", flush=True)
    return 0


async def _list(args: argparse.Namespace) -> int:
    async with open_db(args) as (settings, _sessions):
        rows = [
            {
                "key": p.key,
                "name": p.name,
                "department": settings.departments[p.department].name,
                "roles": " ".join(p.roles),
                "wecom": p.wecom or "",
            }
            for p in settings.people.values()
        ]
    if args.json:
        print_json(rows)
    else:
        print_table(
            rows,
            [
                ("key", "key"),
                ("name", "姓名"),
                ("department", "部门"),
                ("roles", "角色"),
                ("wecom", "企业微信"),
            ],
        )
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("people", help="people, roles and chat identities")
    psub = p.add_subparsers(dest="people_command", metavar="ACTION", required=True)
    ls = psub.add_parser("list")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=lambda a: asyncio.run(_list(a)))
    t = sub.add_parser("token", help="API tokens")
    tsub = t.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    issue = tsub.add_parser("issue", help="issue a new API token for a person")
    issue.add_argument("person")
    issue.set_defaults(handler=lambda a: asyncio.run(_issue(a)))
