"""The fast path's batches on a raw driver connection of their own — no ORM, no session —
and the column list both raw stores share.

SQLite: one ``sqlite3`` connection living in one dedicated thread; a whole batch (BEGIN
IMMEDIATE, two ``executemany`` inserts, two read-backs, COMMIT) is a single hop from the event
loop to that thread, and ``sqlite3`` releases the GIL while SQLite works. Same pragmas as the
engine's connections (WAL, synchronous=NORMAL, busy_timeout, foreign keys).
PostgreSQL: :mod:`review.store.inbox_pg`. The SQL is generated once from the table metadata.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import sqlite as sqlite_dialect

from review.models import CitizenMessage, SeenNonce, utcnow
from review.store.inbox_batch import (
    MSG_COLS,
    BatchItem,
    Digests,
    Stored,
    StoredMessage,
    accepted_rows,
    unique_nonces,
)

NONCES: Table = SeenNonce.__table__  # type: ignore[assignment]
MESSAGES: Table = CitizenMessage.__table__  # type: ignore[assignment]
#: the columns a message row carries (``new_row``); the others are NULL until routing
ROW_COLS = (
    "account_id", "platform", "dedup_key", "sender", "msg_type", "event", "text", "remote_ref",
    "received_at", "sent_at", "status", "processed", "hot", "deadline_at", "deadline_note",
    "close_reason",
)  # fmt: skip


def _by_first(pairs: Sequence[tuple[Any, str]]) -> dict[Any, list[str]]:
    out: dict[Any, list[str]] = {}
    for first, second in pairs:
        out.setdefault(first, []).append(second)
    return out


# ---- SQLite ---------------------------------------------------------------------------------


def _sqlite_binders() -> list[Callable[[Any], Any] | None]:
    d = sqlite_dialect.dialect()
    return [MESSAGES.c[name].type.bind_processor(d) for name in ROW_COLS]


class SqliteBatchStore:
    _INS_NONCE = (
        f"INSERT INTO {NONCES.name} (scope, nonce, body_digest, seen_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING"
    )
    _SEL_NONCE = (
        f"SELECT nonce, body_digest FROM {NONCES.name} "
        "WHERE scope = ? AND nonce IN (SELECT value FROM json_each(?))"
    )
    _INS_MSG = (
        f"INSERT INTO {MESSAGES.name} ({', '.join(ROW_COLS)}) "
        f"VALUES ({', '.join('?' * len(ROW_COLS))}) ON CONFLICT DO NOTHING"
    )
    _SEL_MSG = (
        f"SELECT dedup_key, {', '.join(MSG_COLS)} FROM {MESSAGES.name} "
        "WHERE account_id = ? AND dedup_key IN (SELECT value FROM json_each(?))"
    )

    def __init__(self, path: str, *, busy_timeout_ms: int = 30000) -> None:
        self._path = path
        self._busy_ms = busy_timeout_ms
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="inbox-sqlite")
        self._local = threading.local()
        self._closed = False
        self._binders = _sqlite_binders()
        self._stamp = MESSAGES.c.received_at.type.bind_processor(sqlite_dialect.dialect())

    async def commit(self, items: Sequence[BatchItem]) -> tuple[Digests, Stored]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._commit, items)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=True)

    def _connection(self) -> Any:
        import sqlite3

        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self._path, timeout=self._busy_ms / 1000, isolation_level=None)
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
                con.execute(f"PRAGMA {pragma}")
            con.execute(f"PRAGMA busy_timeout={self._busy_ms}")
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
        con.executemany(self._INS_NONCE, [(s, n, d, now) for (s, n), d in unique.items()])
        digests: Digests = {}
        for scope, nonces in _by_first(list(unique)).items():
            for nonce, digest in con.execute(self._SEL_NONCE, (scope, json.dumps(nonces))):
                digests[(scope, nonce)] = digest
        rows = accepted_rows(items, digests)
        if not rows:
            return digests, {}
        binders = self._binders
        params = [
            tuple(
                row[c] if b is None else b(row[c]) for c, b in zip(ROW_COLS, binders, strict=True)
            )
            for row in rows
        ]
        con.executemany(self._INS_MSG, params)
        stored: Stored = {}
        keys = _by_first([(r["account_id"], r["dedup_key"]) for r in rows])
        for account_id, dedup_keys in keys.items():
            for r in con.execute(self._SEL_MSG, (account_id, json.dumps(dedup_keys))):
                due = datetime.fromisoformat(r[6]).replace(tzinfo=UTC) if r[6] else None
                stored[(account_id, r[0])] = StoredMessage(r[1], r[2], r[3], r[4], r[5], due, r[7])
        return digests, stored
