"""Shared fixtures: a fresh database per test (SQLite file, or a PostgreSQL schema for tests
marked ``pg``), the shipped settings pointed at it, and a session factory with the directory
synced from settings."""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.config.load import Settings, load_settings
from bot.migrate import alembic_config
from review.db import SessionFactory, create_engine, session_factory
from review.models import Base
from review.store.directory_sync import sync_directory

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("NEWMEDIA_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


@functools.cache
def _pg_reachable() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


def pg_enabled() -> bool:
    """``NEWMEDIA_TEST_PG``: ``0`` off, ``require`` on (CI), otherwise on when reachable."""
    mode = os.environ.get("NEWMEDIA_TEST_PG", "auto")
    if mode == "0":
        return False
    if mode == "require":
        return True
    return _pg_reachable()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" in metafunc.fixturenames:
        only_pg = metafunc.definition.get_closest_marker("pg_only") is not None
        backends = [] if only_pg else ["sqlite"]
        if (only_pg or metafunc.definition.get_closest_marker("pg")) and pg_enabled():
            backends.append("postgresql")
        metafunc.parametrize("db_backend", backends)


@pytest.fixture
def db_backend() -> str:  # overridden by parametrisation above
    return "sqlite"


@pytest.fixture
async def db_url(db_backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A URL to an empty database: a temp SQLite file, or a fresh PostgreSQL schema."""
    if db_backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?search_path={schema}"
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    s = load_settings(ROOT / "settings.toml", env={})
    return replace(s, database_url=db_url)


def _stamp_head(conn: Connection, url: str) -> None:
    """Tables come from the models (fast); mark them as the migration head so the app starts."""
    script = ScriptDirectory.from_config(alembic_config(url))
    MigrationContext.configure(conn).stamp(script, "head")


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(settings.database_url)
    async with eng.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
        await conn.run_sync(_stamp_head, settings.database_url)
    try:
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture
async def sf(engine: AsyncEngine, settings: Settings) -> SessionFactory:
    factory = session_factory(engine)
    async with factory.begin() as session:
        await sync_directory(
            session,
            settings.departments.values(),
            settings.people.values(),
            settings.accounts.values(),
        )
    return factory


def pytest_configure(config: Any) -> None:
    os.environ.setdefault("NEWMEDIA_LOG_FORMAT", "plain")


@pytest.fixture
async def app_client(settings: Settings, sf: SessionFactory) -> AsyncIterator[Any]:
    """The real app (demo wiring, sandbox on loopback) on the test database; ticks off."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import create_app

    async with TestClient(TestServer(create_app(settings, run_jobs=False))) as client:
        yield client


@pytest.fixture
def cli_workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the shipped settings (embedded SQLite under it) and media folder (the demo
    covers) as the current directory."""
    (tmp_path / "settings.toml").write_text(
        (ROOT / "settings.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    shutil.copytree(ROOT / "media", tmp_path / "media", ignore=shutil.ignore_patterns("uploads"))
    monkeypatch.chdir(tmp_path)
    for name in (
        "NEWMEDIA_DATABASE_URL",
        "NEWMEDIA_AS",
        "NEWMEDIA_SETTINGS",
        "NEWMEDIA_MEDIA_ROOT",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


WINTER_NOTICE = """+++
title = "关于开展2026年冬季流浪乞讨人员专项救助行动的通知"
kind = "通知公告"
+++
各区民政局：为切实做好寒冬期间生活无着流浪乞讨人员救助管理工作，决定开展专项救助行动。
"""


@pytest.fixture
def workdir(cli_workdir: Path) -> Path:
    """``cli_workdir`` with a ready draft file, ``post.md`` (a 通知公告)."""
    (cli_workdir / "post.md").write_text(WINTER_NOTICE, encoding="utf-8")
    return cli_workdir
