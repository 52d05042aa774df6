"""SQLite through aiosqlite in one trip per statement (``review/db.py`` hands it to the engine).

aiosqlite runs each SQLite connection in a thread of its own, and SQLAlchemy's adapter makes
four trips to that thread per statement: open a cursor, execute, fetch, close. Every trip is a
queue hand-off, a thread wake-up and a loop wake-up — on the publishing hot path (a thousand
posts drained in a few hundred transactions) those trips were a fifth of the event loop's time.
Here the four happen in one function run in that same thread, so a statement is one trip; what
SQLite does, and in which thread and order, is unchanged. Streaming (server-side) cursors keep
SQLAlchemy's own class.
"""

from __future__ import annotations

import collections
import re
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

#: a transaction's BEGIN (``BEGIN IMMEDIATE``: review/db.py), held back for its first statement
_BEGIN = re.compile(r"\s*BEGIN\b", re.IGNORECASE)
#: what one trip brings back: description, rows (None for no result set), rowcount, lastrowid
_Done = tuple[Any, list[Any] | None, int, int | None]


def _run(
    conn: sqlite3.Connection, begin: str | None, operation: str, parameters: Any, many: bool
) -> _Done:
    """In the connection's thread: the transaction's deferred BEGIN if any, then the whole
    statement, its cursor opened and closed here."""
    if begin is not None:
        conn.execute(begin)
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose ``execute`` is one trip to the SQLite thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # no driver cursor is opened here (that was a trip of its own)
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        """Ignored: every result is fetched whole in the SQLite thread (one trip)."""

    async def _async_soft_close(self) -> None:
        """Nothing to close: the driver cursor was closed in the thread."""

    def setinputsizes(self, *inputsizes: Any) -> None:
        """A DB-API hook SQLite does not use."""

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        if not parameters and _BEGIN.match(operation):
            # sent with the transaction's first statement: the same order in the same thread
            self._adapt_connection._begin = operation  # type: ignore[attr-defined]
            self._description, self._rowcount, self._lastrowid = None, -1, None
            return
        self._trip(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        self._trip(operation, seq_of_parameters, many=True)

    def _trip(self, operation: str, parameters: Any, *, many: bool) -> None:
        connection: Any = self._connection  # an aiosqlite.Connection
        adapt: Any = self._adapt_connection
        begin, adapt._begin = adapt._begin, None
        try:
            # aiosqlite's own queue to its thread (as SQLAlchemy's isolation-level setter uses)
            done: _Done = await_(
                connection._execute(_run, connection._conn, begin, operation, parameters, many)
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._description, rows, self._rowcount, self._lastrowid = done
        self._rows = collections.deque(rows or ())


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_begin",)
    _cursor_cls = OneTripCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        #: a BEGIN not yet sent: it goes with the transaction's first statement
        self._begin: str | None = None

    def rollback(self) -> None:
        # the pool resets every connection it takes back, after every commit: with no
        # transaction open SQLite has nothing to undo, so no trip (nothing runs in the thread)
        self._begin = None
        if self._open():
            super().rollback()

    def commit(self) -> None:
        self._begin = None  # a transaction without a statement: nothing to commit
        if self._open():
            super().commit()

    def _open(self) -> bool:
        """A transaction is open (or the connection is closed: then the driver's error
        stands). Read without a trip: no statement of ours is running while SQLAlchemy ends a
        transaction, and the attribute is SQLite's autocommit flag."""
        driver: Any = self._connection
        conn: sqlite3.Connection | None = driver._connection
        return conn is None or conn.in_transaction


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite DBAPI shim, handing out connections whose cursors make one trip."""

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        plain = super().connect(*arg, **kw)
        return _Connection(self, plain._connection)


def one_trip_dbapi() -> OneTripDbapi:
    """The ``module`` for ``create_async_engine`` on SQLite."""
    return OneTripDbapi(aiosqlite, sqlite3)
