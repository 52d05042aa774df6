"""``newmedia db upgrade|current``: Alembic migrations."""

from __future__ import annotations

import argparse
import asyncio

from bot import migrate
from bot.cli.common import settings_from


def _upgrade(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    asyncio.run(migrate.upgrade(settings.database_url))
    current = asyncio.run(migrate.current_revision(settings.database_url))
    print(f"数据库已升级到 {current}")
    return 0


def _current(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    current = asyncio.run(migrate.current_revision(settings.database_url))
    head = migrate.head_revision(settings.database_url)
    state = "最新" if current == head else "需要升级（newmedia db upgrade）"
    print(f"当前 {current or '无'}，代码需要 {head}：{state}")
    return 0 if current == head else 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("db", help="database migrations")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    dsub.add_parser("upgrade", help="apply all migrations").set_defaults(handler=_upgrade)
    dsub.add_parser("current", help="show the schema revision").set_defaults(handler=_current)
