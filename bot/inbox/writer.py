"""Grouped commits for the callback's fast path.

Each request hands its nonce and message row to one writer task and awaits a future. While a
batch is being committed, new requests pile up; the next transaction takes all of them — one
transaction for tens of messages instead of one per message, on a database connection of its
own (``review.store.inbox_batch.open_batch_store``). A future resolves only after its row is
committed, so no request is answered 200 for a message that is not durably stored; if the
commit fails every request of the batch gets an error (503) and WeChat retries it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from review.store.inbox_rows import BatchItem, BatchStore, StoredMessage

log = logging.getLogger("newmedia.inbox.writer")


class ReplayRefused(Exception):
    """The nonce was already used for another request inside the time window."""


class WriterUnavailable(Exception):
    """The batch could not be committed (database down or stopping): answer 503."""


class InboxWriter:
    def __init__(
        self,
        store: BatchStore,
        *,
        max_batch: int = 512,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self._max_batch = max_batch
        self._on_commit = on_commit
        self._items: list[BatchItem] = []
        self._waiters: list[asyncio.Future[StoredMessage | None]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.batches = 0
        self.committed = 0
        #: loop time of the last commit: the slow path yields while callbacks are streaming in
        self.last_commit_at = 0.0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="inbox-writer")

    async def close(self) -> None:
        """Commit what is queued, then stop and close the store's connection."""
        if self._closing:
            return
        self._closing = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.store.close()

    async def submit(
        self, scope: str, nonce: str, digest: str, row: dict[str, Any] | None
    ) -> StoredMessage | None:
        """Remember the nonce and insert ``row`` (unless present); the stored row once committed.
        ``row=None`` only guards the nonce (staff commands)."""
        if self._closing:
            raise WriterUnavailable("writer is stopping")
        future: asyncio.Future[StoredMessage | None] = asyncio.get_running_loop().create_future()
        self._items.append((scope, nonce, digest, row))
        self._waiters.append(future)
        self._wake.set()
        return await future

    def busy(self, within_s: float) -> bool:
        """Callbacks were committed in the last ``within_s`` seconds (or are waiting)."""
        now = asyncio.get_running_loop().time()
        return bool(self._items) or now - self.last_commit_at < within_s

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._items:
                n = self._max_batch
                items, waiters = self._items[:n], self._waiters[:n]
                del self._items[:n], self._waiters[:n]
                await self._commit(items, waiters)
            if self._closing:
                return

    async def _commit(
        self, items: list[BatchItem], waiters: list[asyncio.Future[StoredMessage | None]]
    ) -> None:
        try:
            digests, stored = await self.store.commit(items)
        except Exception as exc:  # the database is away: fail this batch, keep serving
            log.warning("inbox batch of %d not committed: %s", len(items), type(exc).__name__)
            for w in waiters:
                if not w.done():
                    w.set_exception(WriterUnavailable(type(exc).__name__))
            return
        self.batches += 1
        self.committed += len(stored)
        self.last_commit_at = asyncio.get_running_loop().time()
        for (scope, nonce, digest, row), w in zip(items, waiters, strict=True):
            if w.done():  # the request went away (client timeout); the row is stored
                continue
            known = digests.get((scope, nonce))
            if known is None:  # not read back: unknown, never a replay — WeChat retries a 503
                log.warning("inbox batch: a nonce was not read back; answering 503")
                w.set_exception(WriterUnavailable("nonce not read back"))
            elif known != digest:
                w.set_exception(ReplayRefused())
            elif row is None:
                w.set_result(None)
            else:
                found = stored.get((row["account_id"], row["dedup_key"]))
                if found is None:  # cannot happen inside one transaction; never answer 200
                    w.set_exception(WriterUnavailable("row not read back"))
                else:
                    w.set_result(found)
        if self._on_commit is not None and stored:
            self._on_commit()
