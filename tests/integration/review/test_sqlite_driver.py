"""SQLite in one trip to its thread per statement (review/sqlite_driver.py): the same results,
transactions and errors as SQLAlchemy's own aiosqlite adapter, with fewer trips."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from review.db import create_engine, session_factory


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(f"sqlite:///{tmp_path / 'driver.db'}")
    async with eng.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    yield eng
    await eng.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function sent to a SQLite connection's thread."""
    sent: list[str] = []
    real = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return sent


async def test_a_transaction_of_two_statements_is_three_trips(
    engine: AsyncEngine, trips: list[str]
) -> None:
    sessions = session_factory(engine)
    async with sessions.begin() as s:  # warm the pool: its first connect makes trips of its own
        await s.execute(text("SELECT 1"))
    trips.clear()
    async with sessions.begin() as s:
        await s.execute(text("INSERT INTO t (v) VALUES ('a'), ('b')"))
        rows = (await s.execute(text("SELECT v FROM t ORDER BY v"))).scalars().all()
    assert rows == ["a", "b"]
    # BEGIN goes with the first statement; the pool's reset after the commit makes none
    assert trips == ["_run", "_run", "commit"]


async def test_rowcounts_returning_and_executemany(engine: AsyncEngine) -> None:
    async with session_factory(engine).begin() as s:
        many = await s.execute(
            text("INSERT INTO t (v) VALUES (:v)"), [{"v": "x"}, {"v": "y"}, {"v": "z"}]
        )
        assert many.rowcount == 3  # type: ignore[attr-defined]
        moved = await s.execute(text("UPDATE t SET v = v || '!' WHERE v IN ('x', 'y')"))
        assert moved.rowcount == 2  # type: ignore[attr-defined]
        back = await s.execute(text("DELETE FROM t WHERE v = 'z' RETURNING v"))
        assert back.scalars().all() == ["z"]


async def test_a_rolled_back_transaction_leaves_nothing(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as s:
        await s.begin()
        await s.execute(text("INSERT INTO t (v) VALUES ('gone')"))
        await s.rollback()
    async with sessions() as s:
        assert (await s.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0


async def test_a_failing_statement_raises_the_drivers_error_and_rolls_back(
    engine: AsyncEngine,
) -> None:
    sessions = session_factory(engine)
    with pytest.raises(IntegrityError) as caught:
        async with sessions.begin() as s:
            await s.execute(text("INSERT INTO t (v) VALUES ('dup')"))
            await s.execute(text("INSERT INTO t (v) VALUES ('dup')"))
    assert isinstance(caught.value.orig, sqlite3.IntegrityError)
    async with sessions() as s:
        assert (await s.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0


async def test_the_write_lock_is_held_from_the_first_statement(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """BEGIN IMMEDIATE still runs before the transaction's first statement: another writer
    cannot write until the commit."""
    async with session_factory(engine).begin() as s:
        await s.execute(text("INSERT INTO t (v) VALUES ('mine')"))
        other = sqlite3.connect(tmp_path / "driver.db", timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("INSERT INTO t (v) VALUES ('theirs')")
        finally:
            other.close()
