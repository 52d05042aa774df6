"""``newmedia db upgrade|current``: Alembic migrations, then the directory from the settings.

Commands no longer mirror the settings' people and accounts into the database each time they
run (``bot.cli.actions.common``): ``db upgrade`` and ``serve`` do, so an edit to the settings
file reaches the database with either.
"""

from __future__ import annotations

import argparse

from bot import migrate
from bot.cli.actions.runner import settings_from
from review.db import create_engine, session_factory


async def upgrade(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    await migrate.upgrade(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        await migrate.mirror_directory(session_factory(engine), settings)
    finally:
        await engine.dispose()
    current = await migrate.current_revision(settings.database_url)
    print(f"数据库已升级到 {current}")
    print(
        f"已按设置同步 {len(settings.departments)} 个处室、{len(settings.people)} 名人员、"
        f"{len(settings.accounts)} 个账号"
    )
    return 0


async def current(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    found = await migrate.current_revision(settings.database_url)
    head = migrate.head_revision()
    state = "最新" if found == head else "需要升级（newmedia db upgrade）"
    print(f"当前 {found or '无'}，代码需要 {head}：{state}")
    return 0 if found == head else 1
