"""The fast path's batches as Core statements on an ordinary session: the portable fallback
(``:memory:`` SQLite and other URLs) and what the Weibo comment poller stores through.

A batch remembers every request's nonce (``INSERT … ON CONFLICT DO NOTHING`` on ``(scope,
nonce)``), reads back the stored digests, and inserts the messages of the accepted requests under
their unique key ``(account_id, dedup_key)``, reading those back too — so a retry or a concurrent
duplicate stores nothing twice and gets the same row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from review.models import utcnow
from review.store.inbox_rows import (
    MESSAGES,
    MSG_COLS,
    NONCES,
    BatchItem,
    Digests,
    Stored,
    StoredMessage,
    accepted_rows,
    unique_nonces,
)


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """INSERT with ``on_conflict_do_*`` for the session's dialect (PostgreSQL or SQLite)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


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
    table = NONCES
    await session.execute(dialect_insert(session, table).on_conflict_do_nothing(), params)
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
    table = MESSAGES
    await session.execute(dialect_insert(session, table).on_conflict_do_nothing(), unique)
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
