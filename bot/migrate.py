"""The database brought in line with the code and the settings: Alembic driven from code
(``newmedia db upgrade``, the start-up schema check) and the directory mirrored from settings."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from bot.config.load import Settings
from review.db import SessionFactory, create_engine, normalise_url
from review.store.directory import sync_directory

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaOutdated(RuntimeError):
    pass


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


async def current_revision(url: str) -> str | None:
    engine = create_engine(url)

    def _current(conn: Connection) -> str | None:
        return MigrationContext.configure(conn).get_current_revision()

    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_current)
    finally:
        await engine.dispose()


async def upgrade(url: str, target: str = "head") -> None:
    cfg = alembic_config(url)
    await asyncio.to_thread(command.upgrade, cfg, target)


async def upgrade_if_behind(url: str) -> bool:
    """Upgrade only a schema behind the code (a new database included): True when it did, so
    the caller mirrors the directory into it. An up-to-date one costs a revision look-up, not an
    Alembic run."""
    if await current_revision(url) == head_revision(url):
        return False
    await upgrade(url)
    return True


async def require_current(url: str) -> None:
    current, head = await current_revision(url), head_revision(url)
    if current != head:
        raise SchemaOutdated(
            f"database schema is at {current or 'nothing'}, the code needs {head}: "
            "run `newmedia db upgrade` first"
        )


async def mirror_directory(sessions: SessionFactory, settings: Settings) -> None:
    """Departments, people and accounts as the settings file says (``serve``, ``db upgrade``
    and a command that has just created the embedded database; not every command). Safe when
    several processes do it at once: ``sync_directory`` compares, locks and upserts."""
    async with sessions.begin() as session:
        await sync_directory(
            session,
            settings.departments.values(),
            settings.people.values(),
            settings.accounts.values(),
        )
