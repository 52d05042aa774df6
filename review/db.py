"""Engine and session factory for SQLite (embedded default) and PostgreSQL (replicas)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from review.sqlite_driver import one_trip_dbapi

SessionFactory = async_sessionmaker[AsyncSession]


def normalise_url(url: str) -> str:
    """Accept plain ``sqlite:///`` / ``postgresql://`` and pick the async drivers."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


def is_memory_sqlite(url: str) -> bool:
    """An in-memory SQLite database: private to one connection pool, so to one process."""
    parsed = make_url(normalise_url(url))
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    url = normalise_url(url)
    kwargs: dict[str, Any] = {}
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
        kwargs["module"] = one_trip_dbapi()  # one trip to SQLite's thread per statement
        kwargs["poolclass"] = NullPool if database in (None, "", ":memory:") else None
        if kwargs["poolclass"] is None:
            del kwargs["poolclass"]
    else:
        parsed = make_url(url)
        search_path = parsed.query.get("search_path")
        if search_path:
            # asyncpg takes server settings, not libpq options: ?search_path=schema
            url = parsed.difference_update_query(["search_path"]).render_as_string(False)
            kwargs["connect_args"] = {"server_settings": {"search_path": str(search_path)}}
        kwargs["pool_size"] = pool_size
        kwargs["max_overflow"] = pool_size
        kwargs["pool_pre_ping"] = True
    # hide_parameters: a logged database error never carries citizens' text or identifiers
    engine = create_async_engine(url, hide_parameters=True, **kwargs)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (below) so writers take the lock up front.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # BEGIN IMMEDIATE: a transaction that will write takes the write lock at once, so two
    # writers queue on busy_timeout instead of failing with "database is locked" on upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


def writers_side_by_side(sessions: SessionFactory) -> bool:
    """Whether two transactions may write at the same time: PostgreSQL, yes; SQLite serialises
    every writer, so a second one would only queue on its lock."""
    bind = sessions.kw.get("bind")
    return isinstance(bind, AsyncEngine) and bind.dialect.name != "sqlite"


@asynccontextmanager
async def autocommit(sessions: SessionFactory) -> AsyncIterator[AsyncConnection]:
    """A connection whose every statement commits on its own: one round trip for a write that
    is a single statement (no BEGIN, no COMMIT)."""
    bind = sessions.kw.get("bind")
    assert isinstance(bind, AsyncEngine), "an autocommit connection needs the engine"
    async with bind.connect() as conn:
        yield await conn.execution_options(isolation_level="AUTOCOMMIT")
