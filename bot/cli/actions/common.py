"""The database and the ``Services`` a command works with, and who ``--as`` names.

The directory (departments, people, accounts, review chains) is mirrored from the settings by
``serve`` at start-up and by ``newmedia db upgrade``, not by every command; the one exception is
an embedded SQLite database a command has just created or upgraded, so the demo works before
``serve`` ever ran.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot import migrate
from bot.cli.actions.runner import CliError, settings_from
from bot.config.load import Settings
from bot.services import Services
from review.db import SessionFactory, create_engine, is_sqlite, session_factory
from review.models import Person
from review.store import directory


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[SessionFactory]:
    """An up-to-date database: embedded SQLite is created or upgraded on the fly (and then
    given the directory); any other must already be current (``newmedia db upgrade``)."""
    if is_sqlite(settings.database_url):
        fresh = await migrate.upgrade_if_behind(settings.database_url)
    else:
        await migrate.require_current(settings.database_url)
        fresh = False
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    try:
        if fresh:
            await migrate.mirror_directory(sessions, settings)
        yield sessions
    finally:
        await engine.dispose()


@asynccontextmanager
async def open_services(
    args: argparse.Namespace, *, channels: bool = False
) -> AsyncIterator[Services]:
    """The same ``Services`` the web service builds; ``channels`` when the command calls a
    platform (sandbox accounts reach the running service's ``/sandbox``)."""
    settings = settings_from(args, for_service=channels)
    async with _database(settings) as sessions:
        if not channels:
            yield Services(settings, sessions)
            return
        # start-up time: the platform adapters and aiohttp's client add ~0.6 s of imports
        # (hyperfine, 2026-12-02, load ≈ 2.4); only the commands that call a platform need them
        import aiohttp

        from bot.platforms.registry import build_channels, close_all, token_store

        sandbox_url = settings.file.service.public_url.rstrip("/") + "/sandbox"
        async with aiohttp.ClientSession() as http:
            built = build_channels(
                settings,
                token_store(settings, sessions),
                http=http,
                sandbox_url=sandbox_url if settings.demo else None,
            )
            try:
                yield Services(settings, sessions, channels=built)
            finally:
                await close_all(built)


async def person_arg(session: Any, key: str | None, *, default: str | None = None) -> Person:
    key = key or default
    if not key:
        raise CliError("请用 --as 指定操作人（settings.toml 中 [[people]] 的 key 或姓名）")
    person = await directory.person_by_name_or_key(session, key)
    if person is None:
        raise CliError(f"未知的人员「{key}」")
    return person
