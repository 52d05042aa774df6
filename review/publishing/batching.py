"""Grouped commits for the publishing hot path: items that arrive together share one short
transaction (outcomes after their calls and sending marks before them, in the same one:
recording.py).

Every commit on SQLite is serialised, so a drain of a thousand posts must not pay one
transaction per post. ``submit`` queues an item and returns its own result once the batch it
joined has committed. The collector waits ``window`` seconds for more (0: only the items queued
in the same turn of the event loop, plus whatever arrives while the previous batch commits).
While urgent items (someone waits on them before a platform call) keep arriving, the others
wait up to ``hold`` seconds so that the urgent go in short transactions of their own: in a
burst, recording what was sent does not delay what is about to be sent. ``busy`` stretches that
to the gaps between urgent items: while it says calls are starting (a burst of urgent items,
here or on another writer: ``urgent_burst``), the others keep waiting, within ``hold``. If
a batch fails, its items are committed one transaction each, so one bad row cannot sink the
rest; an item that fails alone gets the exception.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Generic, TypeVar

log = logging.getLogger("newmedia.publisher")

T = TypeVar("T")

#: how long a batch holding an urgent item waits for more: a call waits this much longer to
#: start, and in a drain the calls starting within it share one transaction
URGENT_WINDOW = 0.001

#: while ``busy``, items that are not urgent are looked at again this often (an urgent one that
#: arrives meanwhile is taken at once)
BUSY_RECHECK = 0.01

#: this many urgent items close together make a burst (``urgent_burst``)
BURST = 4

#: a queued item and the future its submitter waits on
Entry = tuple[T, asyncio.Future[bool]]

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
        hold: float = 0.0,
        busy: Callable[[], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.commit = commit
        #: how long an item that is not urgent may be left behind by batches of urgent ones
        self.hold = hold
        #: calls are starting (urgent items come in bursts): the others wait, within ``hold``
        self.busy = busy
        #: when the last ``BURST`` urgent items were queued (``urgent_burst``, which another
        #: writer's ``busy`` may ask)
        self._urgent_times: deque[float] = deque(maxlen=BURST)
        self._urgent_came = asyncio.Event()
        self.clock = clock
        self.window = window
        #: an item someone is waiting on before a platform call: its batch does not wait
        self.urgent = urgent
        self.max_batch = max_batch
        self.what = what
        self._queue: list[Entry[T]] = []
        #: when each queued item that is not urgent was queued (by its future's id)
        self._since: dict[int, float] = {}
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> bool:
        """Commit ``item`` with whatever else arrives now; its own result."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._is_urgent(item):
            self._urgent_times.append(self.clock())
            self._urgent_came.set()
        elif self.hold > 0:
            self._since[id(done)] = self.clock()
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush())
        # shield: a caller cancelled now does not undo an item already queued
        return await asyncio.shield(done)

    async def _flush(self) -> None:
        while self._queue:
            wait = URGENT_WINDOW if self._urgent_queued() else self.window
            if wait > 0:
                await asyncio.sleep(wait)
            if self._held_while_busy():
                self._urgent_came.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._urgent_came.wait(), BUSY_RECHECK)
                continue
            batch, self._queue = self._take()
            try:
                results = await self.commit([item for item, _ in batch])
            except Exception:
                log.exception("committing %d %s together failed; one by one", len(batch), self.what)
                for entry in batch:
                    await self._commit_alone(entry)
                continue
            for (_, done), ok in zip(batch, results, strict=True):
                _resolve(done, ok)

    def urgent_burst(self, within: float) -> bool:
        """Whether the last ``BURST`` urgent items all came within the last ``within`` seconds
        (a drain starting calls, not one call now and then)."""
        times = self._urgent_times
        return len(times) == BURST and self.clock() - times[0] < within

    def _held_while_busy(self) -> bool:
        """Only items that are not urgent are queued, calls are starting, and none of them has
        waited ``hold`` yet: they wait on."""
        if self.busy is None or not self._since or self._urgent_queued() or not self.busy():
            return False
        return self.clock() - min(self._since.values()) < self.hold

    def _is_urgent(self, item: T) -> bool:
        return self.urgent is not None and self.urgent(item)

    def _urgent_queued(self) -> bool:
        return any(self._is_urgent(item) for item, _ in self._queue)

    def _take(self) -> tuple[list[Entry[T]], list[Entry[T]]]:
        """The next batch and what stays queued: the urgent items alone while the others have
        waited less than ``hold``; otherwise the oldest ``max_batch`` of everything."""
        queued = [self._since[id(done)] for _, done in self._queue if id(done) in self._since]
        held = (
            self.hold > 0
            and bool(queued)
            and self.clock() - min(queued) < self.hold
            and self._urgent_queued()
        )
        if held:
            batch = [e for e in self._queue if self._is_urgent(e[0])][: self.max_batch]
        else:
            batch = self._queue[: self.max_batch]
        taken = {id(done) for _, done in batch}
        for key in taken:
            self._since.pop(key, None)
        return batch, [e for e in self._queue if id(e[1]) not in taken]

    async def _commit_alone(self, entry: Entry[T]) -> None:
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
