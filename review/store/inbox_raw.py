"""The fast path's batches on SQLite, on a raw driver connection of their own — no ORM, no
session.

SQLite: a batch is six statements whatever its size (BEGIN IMMEDIATE, two inserts, two
read-backs, COMMIT), committed right on the event loop when the write lock is free — about
30 µs a message with no sync to disk (WAL, synchronous=NORMAL), cheaper than a hop to a
thread, whose every step would wait for the busy loop to hand back the GIL. The loop never
waits for the lock: a busy lock means a retry a millisecond later, then the thread.
Checkpoints run in that thread too. Same pragmas as the engine's connections.
PostgreSQL: :mod:`review.store.inbox_pg`. The SQL is generated once from the table metadata.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects import sqlite as sqlite_dialect

from review.models import utcnow
from review.store.inbox_rows import (
    MESSAGES,
    MSG_COLS,
    NONCES,
    ROW_COLS,
    BatchItem,
    Digests,
    Stored,
    StoredMessage,
    accepted_rows,
    unique_nonces,
)

log = logging.getLogger("newmedia.inbox.sqlite")


# ---- SQLite ---------------------------------------------------------------------------------


def _sqlite_binders() -> list[Callable[[Any], Any] | None]:
    d = sqlite_dialect.dialect()
    return [MESSAGES.c[name].type.dialect_impl(d).bind_processor(d) for name in ROW_COLS]


def _fields(n: int) -> str:
    """``json_extract(value, '$[0]'), …`` — the first ``n`` items of each ``json_each`` row."""
    return ", ".join(f"json_extract(value, '$[{i}]')" for i in range(n))


class SqliteBatchStore:
    """Six statements per batch whatever its size: the rows travel as one JSON parameter and
    come back as one JSON value. ``sqlite3`` gives up and retakes the GIL around every step, and
    under load each retake waits for the busy event loop, so steps, not rows, are the cost."""

    _INS_NONCE = (
        f"INSERT INTO {NONCES.name} (scope, nonce, body_digest, seen_at) "
        f"SELECT {_fields(3)}, ? FROM json_each(?) WHERE true ON CONFLICT DO NOTHING"
    )
    # json_each CROSS JOIN the table: SQLite keeps the given rows as the outer loop and looks
    # each one up by the unique index (a row-value IN here used only its first column)
    _SEL_NONCE = (
        "SELECT json_group_array(json_array(t.scope, t.nonce, t.body_digest)) "
        f"FROM json_each(?) AS j CROSS JOIN {NONCES.name} AS t "
        "ON t.scope = json_extract(j.value, '$[0]') AND t.nonce = json_extract(j.value, '$[1]')"
    )
    _INS_MSG = (
        f"INSERT INTO {MESSAGES.name} ({', '.join(ROW_COLS)}) "
        f"SELECT {_fields(len(ROW_COLS))} FROM json_each(?) WHERE true ON CONFLICT DO NOTHING"
    )
    _SEL_MSG = (
        "SELECT json_group_array(json_array(t.account_id, t.dedup_key, "
        f"{', '.join('t.' + c for c in MSG_COLS)})) "
        f"FROM json_each(?) AS j CROSS JOIN {MESSAGES.name} AS t "
        "ON t.account_id = json_extract(j.value, '$[0]') "
        "AND t.dedup_key = json_extract(j.value, '$[1]')"
    )

    #: inline commits between two checkpoints (taken off the loop, on the thread's connection)
    CHECKPOINT_EVERY = 200
    #: attempts at the lock on the loop (≈ 1 ms apart) before the thread waits for it
    INLINE_TRIES = 20

    def __init__(self, path: str, *, busy_timeout_ms: int = 30000) -> None:
        self._path = path
        self._busy_ms = busy_timeout_ms
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="inbox-sqlite")
        self._local = threading.local()
        self._closed = False
        self._binders = _sqlite_binders()
        d = sqlite_dialect.dialect()
        self._stamp = MESSAGES.c.received_at.type.dialect_impl(d).bind_processor(d)
        self._inline: sqlite3.Connection | None = None
        self._since_checkpoint = 0
        self._checkpoint: asyncio.Future[None] | None = None
        self.inline_commits = 0
        self.thread_commits = 0
        self.checkpoints = 0

    async def commit(self, items: Sequence[BatchItem]) -> tuple[Digests, Stored]:
        """On the loop when the write lock is free (never waiting for it: busy timeout 0); while
        another connection or worker holds it, try again every millisecond for a while, then
        let the thread wait for it without holding up the loop."""
        con = self._inline_connection()
        for _ in range(self.INLINE_TRIES):
            if _begin(con):
                result = self._finish(con, items)
                self.inline_commits += 1
                self._maybe_checkpoint()
                return result
            await asyncio.sleep(0.001)
        loop = asyncio.get_running_loop()
        self.thread_commits += 1
        return await loop.run_in_executor(self._thread, self._commit, items)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._checkpoint is not None:
            with contextlib.suppress(Exception):  # already logged by its done-callback
                await self._checkpoint
        if self._inline is not None:
            self._inline.close()
            self._inline = None
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=True)

    def _open(self, busy_ms: int) -> sqlite3.Connection:
        con = sqlite3.connect(
            self._path, timeout=busy_ms / 1000, isolation_level=None, check_same_thread=False
        )
        try:
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
                con.execute(f"PRAGMA {pragma}")
            con.execute(f"PRAGMA busy_timeout={busy_ms}")
        except BaseException:
            con.close()
            raise
        return con

    def _inline_connection(self) -> sqlite3.Connection:
        if self._inline is None:
            self._inline = self._open(0)
            # a checkpoint copies pages and syncs the file: never on the loop
            self._inline.execute("PRAGMA wal_autocheckpoint=0")
        return self._inline

    def _maybe_checkpoint(self) -> None:
        self._since_checkpoint += 1
        if self._since_checkpoint < self.CHECKPOINT_EVERY or self._checkpoint is not None:
            return
        self._since_checkpoint = 0
        loop = asyncio.get_running_loop()
        self._checkpoint = loop.run_in_executor(self._thread, self._run_checkpoint)
        self._checkpoint.add_done_callback(self._checkpoint_done)

    def _run_checkpoint(self) -> None:
        self._connection().execute("PRAGMA wal_checkpoint(PASSIVE)")
        self.checkpoints += 1

    def _checkpoint_done(self, future: asyncio.Future[None]) -> None:
        self._checkpoint = None
        if not future.cancelled() and future.exception() is not None:
            log.warning("inbox WAL checkpoint failed: %s", type(future.exception()).__name__)

    def _connection(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = self._open(self._busy_ms)
            self._local.con = con
        return con

    def _close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    def _commit(self, items: Sequence[BatchItem]) -> tuple[Digests, Stored]:
        con = self._connection()
        con.execute("BEGIN IMMEDIATE")
        return self._finish(con, items)

    def _finish(
        self, con: sqlite3.Connection, items: Sequence[BatchItem]
    ) -> tuple[Digests, Stored]:
        """Inside the transaction ``BEGIN IMMEDIATE`` opened: write, commit (or roll back)."""
        try:
            result = self._write(con, items)
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        return result

    def _write(self, con: Any, items: Sequence[BatchItem]) -> tuple[Digests, Stored]:
        unique = unique_nonces(items)
        assert self._stamp is not None
        now = self._stamp(utcnow())
        given = _json([[s, n, d] for (s, n), d in unique.items()])
        con.execute(self._INS_NONCE, (now, given))
        (found,) = con.execute(self._SEL_NONCE, (given,)).fetchone()
        digests: Digests = {(s, n): d for s, n, d in json.loads(found)}
        rows = accepted_rows(items, digests)
        if not rows:
            return digests, {}
        binders = self._binders
        params = [
            [row[c] if b is None else b(row[c]) for c, b in zip(ROW_COLS, binders, strict=True)]
            for row in rows
        ]
        con.execute(self._INS_MSG, (_json(params),))
        (back,) = con.execute(self._SEL_MSG, (_json([[p[0], p[2]] for p in params]),)).fetchone()
        stored: Stored = {}
        for account_id, key, *r in json.loads(back):
            due = datetime.fromisoformat(r[5]).replace(tzinfo=UTC) if r[5] else None
            got = datetime.fromisoformat(r[8]).replace(tzinfo=UTC) if r[8] else None
            stored[(account_id, key)] = StoredMessage(
                r[0], r[1], r[2], r[3], r[4], due, r[6], r[7], got
            )
        return digests, stored


def _begin(con: sqlite3.Connection) -> bool:
    """BEGIN IMMEDIATE without waiting: False when another connection holds the write lock."""
    try:
        con.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return False
        raise
    return True


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
