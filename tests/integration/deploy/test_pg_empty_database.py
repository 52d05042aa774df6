"""docs/deploy.md's first step on PostgreSQL: ``newmedia db upgrade`` (the real command, from a
shell, with NEWMEDIA_DATABASE_URL) on a database just made with createdb brings it to the head
migration with every table, and the replicas' start-up check then passes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pg_database_support import fresh_database
from sqlalchemy import Connection, inspect

from bot import migrate
from review.db import create_engine
from review.models import Base

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.pg_only


def newmedia(url: str, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWMEDIA_")}
    env["NEWMEDIA_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "bot", "--settings", str(ROOT / "settings.toml"), *argv],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


async def test_db_upgrade_builds_an_empty_database(db_backend: str) -> None:
    async with fresh_database("sekrit-pw") as url:
        assert await migrate.current_revision(url) is None
        done = await asyncio.to_thread(newmedia, url, "db", "upgrade")
        assert done.returncode == 0, done.stderr
        head = migrate.head_revision()
        assert done.stdout.startswith(f"数据库已升级到 {head}\n")
        assert "sekrit-pw" not in done.stdout + done.stderr
        assert await migrate.current_revision(url) == head
        await migrate.require_current(url)  # what a replica checks before it serves

        engine = create_engine(url)

        def tables(conn: Connection) -> set[str]:
            return set(inspect(conn).get_table_names())

        try:
            async with engine.connect() as conn:
                found = await conn.run_sync(tables)
        finally:
            await engine.dispose()
        assert found == set(Base.metadata.tables) | {"alembic_version"}

        again = await asyncio.to_thread(newmedia, url, "db", "current")
        assert (again.returncode, again.stdout) == (0, f"当前 {head}，代码需要 {head}：最新\n")
