"""The callback's fast path in the database: one transaction per batch of concurrent requests.

A batch remembers every request's nonce (``INSERT … ON CONFLICT DO NOTHING`` on ``(scope,
nonce)``), reads back the stored digests, and inserts the messages of the accepted requests under
their unique key ``(account_id, dedup_key)``, reading those back too — so a retry or a concurrent
duplicate (in the same batch, another batch or on another replica) stores nothing twice and gets
the same row. :func:`open_batch_store` picks the fastest way for the database: a raw driver
connection dedicated to these batches (:mod:`review.store.inbox_raw` for SQLite,
:mod:`review.store.inbox_pg` for PostgreSQL), or the Core statements
below on an ordinary session (``:memory:`` SQLite and other URLs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from review.models import CitizenMessage, SeenNonce, utcnow

#: (scope, nonce, body digest, message row or None) — one callback request
BatchItem = tuple[str, str, str, dict[str, Any] | None]
Digests = dict[tuple[str, str], str]


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """What the passive reply is derived from (identical for every retry of one message)."""

    id: int
    status: str
    text: str
    msg_type: str
    event: str | None
    deadline_at: datetime | None
    deadline_note: str | None
    #: "已自动答复：<title>" when the row was stored as a 办事指南 answer
    close_reason: str | None = None


Stored = dict[tuple[int, str], StoredMessage]
MSG_COLS = (
    "id", "status", "text", "msg_type", "event", "deadline_at", "deadline_note", "close_reason",
)  # fmt: skip


class BatchStore(Protocol):
    """Commits one batch; raises on any database error (then nothing of the batch is stored)."""

    async def commit(self, items: Sequence[BatchItem]) -> tuple[Digests, Stored]: ...

    async def close(self) -> None: ...


def unique_nonces(items: Sequence[BatchItem]) -> dict[tuple[str, str], str]:
    """(scope, nonce) → digest of its first request in the batch (a later different body for the
    same nonce then reads back the first digest and is refused as a replay)."""
    out: dict[tuple[str, str], str] = {}
    for scope, nonce, digest, _row in items:
        out.setdefault((scope, nonce), digest)
    return out


def accepted_rows(items: Sequence[BatchItem], digests: Digests) -> list[dict[str, Any]]:
    """The message rows of requests whose nonce is theirs, first of each unique key only."""
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for scope, nonce, digest, row in items:
        if row is not None and digests.get((scope, nonce)) == digest:
            rows.setdefault((row["account_id"], row["dedup_key"]), row)
    return list(rows.values())


# ---- Core statements on a session (fallback, and the Weibo comment poller) -------------------


def _insert(session: AsyncSession, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


async def remember_nonces(
    session: AsyncSession, rows: Sequence[tuple[str, str, str]]
) -> dict[tuple[str, str], str]:
    """Insert (scope, nonce, digest) rows unless present; return the stored digest of each.

    A stored digest equal to the caller's means "first time or a retry of the same request";
    any other digest means the nonce was used for something else — a replay.
    """
    if not rows:
        return {}
    unique = unique_nonces([(s, n, d, None) for s, n, d in rows])
    now = utcnow()
    params = [
        {"scope": s, "nonce": n, "body_digest": d, "seen_at": now} for (s, n), d in unique.items()
    ]
    table = SeenNonce.__table__
    await session.execute(_insert(session, table).on_conflict_do_nothing(), params)
    by_scope: dict[str, list[str]] = {}
    for s, n in unique:
        by_scope.setdefault(s, []).append(n)
    out: dict[tuple[str, str], str] = {}
    for scope, nonces in by_scope.items():
        q = select(table.c.nonce, table.c.body_digest).where(
            table.c.scope == scope, table.c.nonce.in_(nonces)
        )
        out.update({(scope, n): d for n, d in (await session.execute(q)).all()})
    return out


async def insert_messages(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> Stored:
    """Insert message rows (``account_id``, ``dedup_key`` …) unless present; read them all back."""
    if not rows:
        return {}
    unique = list({(r["account_id"], r["dedup_key"]): r for r in reversed(rows)}.values())
    table = CitizenMessage.__table__
    await session.execute(_insert(session, table).on_conflict_do_nothing(), unique)
    by_account: dict[int, list[str]] = {}
    for r in unique:
        by_account.setdefault(r["account_id"], []).append(r["dedup_key"])
    cols = [table.c.dedup_key, *(table.c[name] for name in MSG_COLS)]
    out: Stored = {}
    for account_id, keys in by_account.items():
        q = select(*cols).where(table.c.account_id == account_id, table.c.dedup_key.in_(keys))
        for r in (await session.execute(q)).all():
            out[(account_id, r[0])] = StoredMessage(*r[1:])
    return out


class SessionBatchStore:
    """Batches through an ordinary ``AsyncSession``: portable, slower (several thread hops)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def commit(self, items: Sequence[BatchItem]) -> tuple[Digests, Stored]:
        async with self._sessions.begin() as session:
            unique = unique_nonces(items)
            digests = await remember_nonces(session, [(s, n, d) for (s, n), d in unique.items()])
            stored = await insert_messages(session, accepted_rows(items, digests))
        return digests, stored

    async def close(self) -> None:
        return None


def open_batch_store(url: str, sessions: async_sessionmaker[AsyncSession]) -> BatchStore:
    """A dedicated raw connection for SQLite files and PostgreSQL, else the session fallback."""
    from review.db import is_memory_sqlite, normalise_url
    from review.store import inbox_pg, inbox_raw

    parsed = make_url(normalise_url(url))
    backend = parsed.get_backend_name()
    if backend == "sqlite" and not is_memory_sqlite(url):
        return inbox_raw.SqliteBatchStore(str(parsed.database))
    if backend == "postgresql":
        return inbox_pg.PgBatchStore(parsed)
    return SessionBatchStore(sessions)
