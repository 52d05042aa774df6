"""Grouped commits for the publishing hot path: items that arrive together share one short
transaction (outcomes after their calls and sending marks before them, in the same one:
recording.py).

Every commit on SQLite is serialised, so a drain of a thousand posts must not pay one
transaction per post. ``submit`` queues an item and returns its own result once the batch it
joined has committed. The collector waits ``window`` seconds for more (0: only the items queued
in the same turn of the event loop, plus whatever arrives while the previous batch commits). If
a batch fails, its items are committed one transaction each, so one bad row cannot sink the
rest; an item that fails alone gets the exception.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger("newmedia.publisher")

T = TypeVar("T")

#: how long a batch holding an urgent item waits for more: a call waits this much longer to
#: start, and in a drain the calls starting within it share one transaction
URGENT_WINDOW = 0.001

#: commits a batch in one transaction; one result per item, in order
Commit = Callable[[list[T]], Awaitable[list[bool]]]


class Batcher(Generic[T]):
    def __init__(
        self,
        commit: Commit[T],
        *,
        window: float,
        max_batch: int,
        what: str,
        urgent: Callable[[T], bool] | None = None,
    ) -> None:
        self.commit = commit
        self.window = window
        #: an item someone is waiting on before a platform call: its batch does not wait
        self.urgent = urgent
        self.max_batch = max_batch
        self.what = what
        self._queue: list[tuple[T, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> bool:
        """Commit ``item`` with whatever else arrives now; its own result."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush())
        # shield: a caller cancelled now does not undo an item already queued
        return await asyncio.shield(done)

    async def _flush(self) -> None:
        while self._queue:
            wait = URGENT_WINDOW if self._urgent_queued() else self.window
            if wait > 0:
                await asyncio.sleep(wait)
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            try:
                results = await self.commit([item for item, _ in batch])
            except Exception:
                log.exception("committing %d %s together failed; one by one", len(batch), self.what)
                for entry in batch:
                    await self._commit_alone(entry)
                continue
            for (_, done), ok in zip(batch, results, strict=True):
                _resolve(done, ok)

    def _urgent_queued(self) -> bool:
        return self.urgent is not None and any(self.urgent(item) for item, _ in self._queue)

    async def _commit_alone(self, entry: tuple[T, asyncio.Future[bool]]) -> None:
        item, done = entry
        try:
            [ok] = await self.commit([item])
        except Exception as exc:
            _resolve(done, exc)
            return
        _resolve(done, ok)


def _resolve(done: asyncio.Future[bool], result: bool | Exception) -> None:
    if done.done():
        return
    if isinstance(result, Exception):
        done.set_exception(result)
    else:
        done.set_result(result)
