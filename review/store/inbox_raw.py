"""The fast path's batches on a raw driver connection of their own — no ORM, no session.

SQLite: one ``sqlite3`` connection living in one dedicated thread; a whole batch (BEGIN
IMMEDIATE, two ``executemany`` inserts, two read-backs, COMMIT) is a single hop from the event
loop to that thread, and ``sqlite3`` releases the GIL while SQLite works. Same pragmas as the
engine's connections (WAL, synchronous=NORMAL, busy_timeout, foreign keys).

PostgreSQL: one ``asyncpg`` connection; a batch is two statements, each atomic on its own (a
data-modifying CTE: insert, then read back what was there before) and taking column arrays
(``unnest``), so the prepared plan is the same whatever the batch size: two round trips instead
of four with BEGIN/COMMIT. Committing the nonces before the messages is safe: a request whose
messages statement fails is answered 503, and WeChat's retry (same nonce, same body) is
accepted as a retry. A broken connection (server restarted) is dropped and reopened at the
next batch. The SQL is generated once from the table metadata.
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
from sqlalchemy.engine import URL

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


# ---- PostgreSQL -----------------------------------------------------------------------------

_PG_TYPES = {"INTEGER": "int4", "BOOLEAN": "bool", "DATETIME": "timestamptz"}


def _pg_type(name: str) -> str:
    kind = type(MESSAGES.c[name].type).__name__.upper()
    if kind == "UTCDATETIME":
        return "timestamptz"
    return _PG_TYPES.get(str(MESSAGES.c[name].type).split("(")[0], "text")


class PgBatchStore:
    _NONCES = (
        f"WITH given AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) "
        "AS g(scope, nonce, body_digest)), "
        f"ins AS (INSERT INTO {NONCES.name} (scope, nonce, body_digest, seen_at) "
        "SELECT scope, nonce, body_digest, $4::timestamptz FROM given "
        "ON CONFLICT DO NOTHING RETURNING scope, nonce, body_digest) "
        "SELECT scope, nonce, body_digest FROM ins UNION ALL "
        f"SELECT s.scope, s.nonce, s.body_digest FROM {NONCES.name} s "
        "JOIN given g ON s.scope = g.scope AND s.nonce = g.nonce"
    )
    _SEL_NONCES = (
        f"SELECT s.scope, s.nonce, s.body_digest FROM {NONCES.name} s "
        "JOIN unnest($1::text[], $2::text[]) AS g(scope, nonce) "
        "ON s.scope = g.scope AND s.nonce = g.nonce"
    )
    _ARRAYS = ", ".join(f"${i + 1}::{_pg_type(c)}[]" for i, c in enumerate(ROW_COLS))
    _RET = ", ".join(("account_id", "dedup_key", *MSG_COLS))
    _MESSAGES = (
        f"WITH ins AS (INSERT INTO {MESSAGES.name} ({', '.join(ROW_COLS)}) "
        f"SELECT * FROM unnest({_ARRAYS}) ON CONFLICT DO NOTHING RETURNING {_RET}) "
        f"SELECT {_RET} FROM ins UNION ALL SELECT {', '.join('m.' + c for c in _RET.split(', '))} "
        f"FROM {MESSAGES.name} m JOIN unnest($1::int4[], $3::text[]) AS g(account_id, dedup_key) "
        "ON m.account_id = g.account_id AND m.dedup_key = g.dedup_key"
    )
    _SEL_MESSAGES = (
        f"SELECT {', '.join('m.' + c for c in _RET.split(', '))} FROM {MESSAGES.name} m "
        "JOIN unnest($1::int4[], $2::text[]) AS g(account_id, dedup_key) "
        "ON m.account_id = g.account_id AND m.dedup_key = g.dedup_key"
    )

    # the whole batch as one atomic statement (one round trip, one commit): nonces in, digests
    # known, messages of the accepted requests in, everything read back; column 0 tells which
    _ITEM_ARRAYS = ", ".join(f"${i + 6}::{_pg_type(c)}[]" for i, c in enumerate(ROW_COLS))
    _ONE = (
        "WITH g AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY "
        "AS g(scope, nonce, body_digest, i)), "
        "f AS (SELECT DISTINCT ON (scope, nonce) scope, nonce, body_digest FROM g "
        "ORDER BY scope, nonce, i), "
        f"ins_n AS (INSERT INTO {NONCES.name} (scope, nonce, body_digest, seen_at) "
        "SELECT scope, nonce, body_digest, $4::timestamptz FROM f "
        "ON CONFLICT DO NOTHING RETURNING scope, nonce, body_digest), "
        "known AS (SELECT scope, nonce, body_digest FROM ins_n UNION ALL "
        f"SELECT s.scope, s.nonce, s.body_digest FROM {NONCES.name} s "
        "JOIN f ON s.scope = f.scope AND s.nonce = f.nonce), "
        f"r AS (SELECT * FROM unnest($5::int8[], {_ITEM_ARRAYS}) "
        f"AS r(item, {', '.join(ROW_COLS)})), "
        "acc AS (SELECT DISTINCT ON (r.account_id, r.dedup_key) r.* FROM r "
        "JOIN g ON g.i = r.item JOIN known k ON k.scope = g.scope AND k.nonce = g.nonce "
        "AND k.body_digest = g.body_digest ORDER BY r.account_id, r.dedup_key, r.item), "
        f"ins_m AS (INSERT INTO {MESSAGES.name} ({', '.join(ROW_COLS)}) "
        f"SELECT {', '.join(ROW_COLS)} FROM acc ON CONFLICT DO NOTHING RETURNING {_RET}) "
        "SELECT 'n', scope, nonce, body_digest, "
        + ", ".join(["NULL"] * (2 + len(MSG_COLS)))
        + " FROM known UNION ALL "
        f"SELECT 'm', NULL, NULL, NULL, {_RET} FROM ins_m UNION ALL "
        f"SELECT 'm', NULL, NULL, NULL, {', '.join('m.' + c for c in _RET.split(', '))} "
        f"FROM {MESSAGES.name} m JOIN acc "
        "ON m.account_id = acc.account_id AND m.dedup_key = acc.dedup_key"
    )

    def __init__(self, url: URL, *, connect_timeout: float = 3.0) -> None:
        self._url = url
        self._timeout = connect_timeout
        self._con: Any = None

    async def _connection(self) -> Any:
        if self._con is None or self._con.is_closed():
            import asyncpg  # type: ignore[import-untyped]

            u = self._url
            search_path = u.query.get("search_path")
            self._con = await asyncpg.connect(
                host=u.host, port=u.port, user=u.username, password=u.password,
                database=u.database, timeout=self._timeout, command_timeout=4,
                server_settings={"search_path": str(search_path)} if search_path else None,
            )  # fmt: skip
        return self._con

    async def commit(self, items: Sequence[BatchItem]) -> tuple[Digests, Stored]:
        try:
            con = await self._connection()
            return await self._write_one(con, items)
        except BaseException:
            await self._drop_if_broken()
            raise

    async def _drop_if_broken(self) -> None:
        con = self._con
        if con is not None and (con.is_closed() or con.is_in_transaction()):
            self._con = None
            con.terminate()

    async def _write_one(self, con: Any, items: Sequence[BatchItem]) -> tuple[Digests, Stored]:
        """The batch in one statement; when a concurrent replica committed one of its keys after
        the statement's snapshot (so it is neither inserted nor seen), the two-statement way —
        idempotent, with fresh snapshots — finishes the batch."""
        scopes, nonces, digests_in = (list(c) for c in zip(*[i[:3] for i in items], strict=True))
        with_rows = [(n, i[3]) for n, i in enumerate(items, 1) if i[3] is not None]
        arrays = [[row[c] for _, row in with_rows] for c in ROW_COLS]
        got = await con.fetch(
            self._ONE, scopes, nonces, digests_in, utcnow(), [n for n, _ in with_rows], *arrays
        )
        digests: Digests = {}
        stored: Stored = {}
        for r in got:
            if r[0] == "n":
                digests[(r[1], r[2])] = r[3]
            else:
                stored[(r[4], r[5])] = StoredMessage(*r[6:])
        if len(digests) < len(unique_nonces(items)) or len(stored) < len(
            accepted_rows(items, digests)
        ):
            return await self._write(con, items)
        return digests, stored

    async def _write(self, con: Any, items: Sequence[BatchItem]) -> tuple[Digests, Stored]:
        unique = unique_nonces(items)
        cols = list(zip(*[(s, n, d) for (s, n), d in unique.items()], strict=True))
        got = await con.fetch(self._NONCES, *cols, utcnow())
        digests: Digests = {(r[0], r[1]): r[2] for r in got}
        if len(digests) < len(unique):  # a concurrent replica committed one after our snapshot
            got = await con.fetch(self._SEL_NONCES, *cols[:2])
            digests = {(r[0], r[1]): r[2] for r in got}
        rows = accepted_rows(items, digests)
        if not rows:
            return digests, {}
        arrays = [[row[c] for row in rows] for c in ROW_COLS]
        stored: Stored = {}
        for r in await con.fetch(self._MESSAGES, *arrays):
            stored[(r[0], r[1])] = StoredMessage(*r[2:])
        if len(stored) < len(rows):
            got = await con.fetch(self._SEL_MESSAGES, arrays[0], arrays[2])
            stored = {(r[0], r[1]): StoredMessage(*r[2:]) for r in got}
        return digests, stored

    async def close(self) -> None:
        con, self._con = self._con, None
        if con is not None and not con.is_closed():
            await con.close(timeout=5)
