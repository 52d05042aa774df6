"""The callback's fast path in the database: one transaction per batch of concurrent requests,
through the fastest batch store the database allows.

Every store does the same batch (see :mod:`review.store.inbox_session`): remember the nonces,
read back their digests, insert the accepted messages under ``(account_id, dedup_key)`` and read
them back, so a retry or a concurrent duplicate (in the same batch, another batch or on another
replica) stores nothing twice and gets the same row. :func:`open_batch_store` picks a raw driver
connection dedicated to these batches (:mod:`review.store.inbox_raw` for SQLite files,
:mod:`review.store.inbox_pg` for PostgreSQL), or the Core statements on an ordinary session
(``:memory:`` SQLite and other URLs). The shared row shapes live in
:mod:`review.store.inbox_rows`; this module is the only one that knows all the stores, and is
imported only by the service's wiring, so the replies and the CLI never load the raw drivers.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from review.db import is_memory_sqlite, normalise_url
from review.store.inbox_pg import PgBatchStore
from review.store.inbox_raw import SqliteBatchStore
from review.store.inbox_rows import BatchStore
from review.store.inbox_session import SessionBatchStore


def open_batch_store(url: str, sessions: async_sessionmaker[AsyncSession]) -> BatchStore:
    """A dedicated raw connection for SQLite files and PostgreSQL, else the session fallback."""
    parsed = make_url(normalise_url(url))
    backend = parsed.get_backend_name()
    if backend == "sqlite" and not is_memory_sqlite(url):
        return SqliteBatchStore(str(parsed.database))
    if backend == "postgresql":
        return PgBatchStore(parsed)
    return SessionBatchStore(sessions)
