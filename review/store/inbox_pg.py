"""The fast path's batches on PostgreSQL, on a dedicated ``asyncpg`` connection (no ORM).

A batch is one statement (``_ONE``), atomic on its own, so one round trip and one commit: data-
modifying CTEs insert the nonces, know every nonce's digest (inserted now or there before), insert
the messages of the accepted requests and read everything back, all from column arrays
(``unnest``), so the prepared plan is the same whatever the batch size. When a concurrent
replica committed one of the keys after the statement's snapshot (neither inserted nor seen),
the two-statement way (``_write``: nonces, then messages, each with a fresh read-back) finishes
the batch — idempotent, so running it after the first is harmless. A broken connection (server
restarted) is dropped and reopened at the next batch. The SQL is generated once from the table
metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import URL

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
            # lazy: only a PostgreSQL deployment needs the driver (0.1–0.17 s, python -X importtime)
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
