"""Grouped commits for the callback's fast path.

Each request hands its nonce and message row to one writer task and awaits a future. While a
transaction is being committed, new requests pile up; the next transaction takes all of them —
one BEGIN, four statements and one COMMIT for tens of messages instead of per message. A future
resolves only after its row is committed, so no request is answered 200 for a message that is
not durably stored; if the commit fails every request of the batch gets an error (503) and
WeChat retries it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from review.db import SessionFactory
from review.store import inbox as store
from review.store.inbox import StoredMessage

log = logging.getLogger("newmedia.inbox.writer")


class ReplayRefused(Exception):
    """The nonce was already used for another request inside the time window."""


class WriterUnavailable(Exception):
    """The batch could not be committed (database down or stopping): answer 503."""


@dataclass(slots=True)
class _Pending:
    scope: str
    nonce: str
    digest: str
    row: dict[str, Any] | None
    future: asyncio.Future[StoredMessage | None] = field(repr=False)


class InboxWriter:
    def __init__(
        self,
        sessions: SessionFactory,
        *,
        max_batch: int = 512,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._max_batch = max_batch
        self._on_commit = on_commit
        self._pending: list[_Pending] = []
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
        """Commit what is queued, then stop."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def submit(
        self, scope: str, nonce: str, digest: str, row: dict[str, Any] | None
    ) -> StoredMessage | None:
        """Remember the nonce and insert ``row`` (unless present); the stored row once committed.
        ``row=None`` only guards the nonce (staff commands)."""
        if self._closing:
            raise WriterUnavailable("writer is stopping")
        future: asyncio.Future[StoredMessage | None] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(scope, nonce, digest, row, future))
        self._wake.set()
        return await future

    def busy(self, within_s: float) -> bool:
        """Callbacks were committed in the last ``within_s`` seconds (or are waiting)."""
        now = asyncio.get_running_loop().time()
        return bool(self._pending) or now - self.last_commit_at < within_s

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                await self._commit(batch)
            if self._closing:
                return

    async def _commit(self, batch: list[_Pending]) -> None:
        try:
            async with self._sessions.begin() as session:
                digests = await store.remember_nonces(
                    session, [(p.scope, p.nonce, p.digest) for p in batch]
                )
                accepted = [p for p in batch if digests.get((p.scope, p.nonce)) == p.digest]
                rows = [p.row for p in accepted if p.row is not None]
                stored = await store.insert_messages(session, rows)
        except Exception as exc:  # the database is away: fail this batch, keep serving
            log.warning("inbox batch of %d not committed: %s", len(batch), type(exc).__name__)
            for p in batch:
                if not p.future.done():
                    p.future.set_exception(WriterUnavailable(type(exc).__name__))
            return
        self.batches += 1
        self.committed += len(rows)
        self.last_commit_at = asyncio.get_running_loop().time()
        for p in batch:
            if p.future.done():  # the request went away (client timeout); the row is stored
                continue
            if digests.get((p.scope, p.nonce)) != p.digest:
                p.future.set_exception(ReplayRefused())
            elif p.row is None:
                p.future.set_result(None)
            else:
                p.future.set_result(stored[(p.row["account_id"], p.row["dedup_key"])])
        if self._on_commit is not None and rows:
            self._on_commit()
