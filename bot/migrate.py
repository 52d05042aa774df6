"""The database brought in line with the code and the settings: Alembic driven from code
(``newmedia db upgrade``, the start-up schema check) and the directory mirrored from settings."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from bot.config.load import Settings
from review.db import SessionFactory, create_engine, normalise_url
from review.store.directory_sync import sync_directory

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r'^(down_revision|revision)\s*=\s*(?:"([^"]*)"|None)', re.MULTILINE)


class SchemaOutdated(RuntimeError):
    pass


def alembic_config(url: str) -> Config:
    # Alembic costs ~0.2 s of imports (hyperfine, 2026-12-02): only an upgrade loads it; every
    # other command compares the revision recorded in the database with ``head_revision``
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def _revisions() -> tuple[set[str], set[str]]:
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            if value:
                (revisions if name == "revision" else parents).add(value)
    return revisions, parents


def known_revisions() -> frozenset[str]:
    """Every migration this code knows (``db restore`` refuses a backup at any other)."""
    return frozenset(_revisions()[0])


def head_revision() -> str | None:
    """The newest migration, read from the files' ``revision``/``down_revision`` lines without
    loading Alembic (a test holds it equal to Alembic's own answer)."""
    revisions, parents = _revisions()
    heads = sorted(revisions - parents)
    if len(heads) > 1:
        raise RuntimeError(f"migrations have several heads: {', '.join(heads)}")
    return heads[0] if heads else None


async def current_revision(url: str) -> str | None:
    """What ``alembic_version`` records (None for a database never upgraded)."""
    engine = create_engine(url)

    def _current(conn: Connection) -> str | None:
        if not inspect(conn).has_table("alembic_version"):
            return None
        found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return None if found is None else str(found)

    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_current)
    finally:
        await engine.dispose()


async def upgrade(url: str, target: str = "head") -> None:
    from alembic import command  # see alembic_config: only an upgrade loads Alembic

    cfg = alembic_config(url)
    await asyncio.to_thread(command.upgrade, cfg, target)


async def upgrade_if_behind(url: str) -> bool:
    """Upgrade only a schema behind the code (a new database included): True when it did, so
    the caller mirrors the directory into it. An up-to-date one costs a revision look-up, not an
    Alembic run."""
    if await current_revision(url) == head_revision():
        return False
    await upgrade(url)
    return True


async def require_current(url: str) -> None:
    current, head = await current_revision(url), head_revision()
    if current != head and current is not None and current not in known_revisions():
        raise SchemaOutdated(
            f"数据库结构版本为 {current}，比本程序新（本程序只到 {head}）："
            "请换用与数据库相配的新版本程序，不要降级数据库"
        )
    if current != head:
        raise SchemaOutdated(
            f"数据库结构版本为 {current or '无'}，本程序需要 {head}：请先运行 newmedia db upgrade"
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
