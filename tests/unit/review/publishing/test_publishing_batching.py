"""Grouped commits: items queued together share one commit; urgent items (a sending mark a call
waits on) go in batches of their own while the others have waited less than ``hold``, then
everything goes; a failed batch is retried item by item. Each commit finishes when the test
allows it, and the hold is measured on the test's own clock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from review.publishing.batching import BURST, Batcher

GUARD = 30  # seconds: a hang fails the test instead of blocking the suite


@dataclass
class Book:
    """A commit that records each batch and finishes only when allowed."""

    batches: list[list[str]] = field(default_factory=list)
    allowed: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(0))
    fail_with: str | None = None
    started: asyncio.Queue[int] = field(default_factory=asyncio.Queue)

    async def commit(self, items: list[str]) -> list[bool]:
        self.batches.append(list(items))
        self.started.put_nowait(len(self.batches))
        await self.allowed.acquire()
        if self.fail_with in items and len(items) > 1:
            raise RuntimeError("one bad row sinks the batch")
        return [item != "refused" for item in items]

    async def committed(self, n: int) -> None:
        """Wait until ``n`` commits have started."""
        async with asyncio.timeout(GUARD):
            while len(self.batches) < n:
                await self.started.get()


@dataclass
class Clock:
    now: float = 100.0

    def __call__(self) -> float:
        return self.now


def batcher(book: Book, clock: Clock, *, hold: float) -> Batcher[str]:
    return Batcher(
        book.commit,
        window=0.0,
        max_batch=50,
        what="test items",
        urgent=lambda item: item.startswith("mark"),
        hold=hold,
        clock=clock,
    )


async def queued_behind_a_commit(
    b: Batcher[str], book: Book, *items: str
) -> list[asyncio.Task[bool]]:
    """A first commit is under way while ``items`` arrive: they wait for the next batches."""
    tasks = [asyncio.ensure_future(b.submit("first"))]
    await book.committed(1)
    tasks += [asyncio.ensure_future(b.submit(item)) for item in items]
    await asyncio.sleep(0)  # each submit has queued its item
    return tasks


ITEMS = ("outcome-1", "mark-1", "outcome-2", "mark-2")


async def test_marks_go_alone_while_the_outcomes_are_within_their_hold() -> None:
    book, clock = Book(), Clock()
    b = batcher(book, clock, hold=1.0)
    tasks = await queued_behind_a_commit(b, book, *ITEMS)
    book.allowed.release()
    await book.committed(2)
    assert book.batches[1] == ["mark-1", "mark-2"]
    clock.now += 1.0  # the outcomes have waited their hold; no mark is queued anyway
    book.allowed.release()
    await book.committed(3)
    assert book.batches[2] == ["outcome-1", "outcome-2"]
    book.allowed.release()
    async with asyncio.timeout(GUARD):
        assert await asyncio.gather(*tasks) == [True] * 5


async def test_an_outcome_that_waited_its_hold_goes_with_the_marks() -> None:
    book, clock = Book(), Clock()
    b = batcher(book, clock, hold=1.0)
    tasks = await queued_behind_a_commit(b, book, *ITEMS)
    clock.now += 1.5
    book.allowed.release()
    await book.committed(2)
    assert book.batches[1] == list(ITEMS)
    book.allowed.release()
    async with asyncio.timeout(GUARD):
        await asyncio.gather(*tasks)


async def test_without_a_hold_everything_queued_goes_together() -> None:
    book, clock = Book(), Clock()
    b = batcher(book, clock, hold=0.0)
    tasks = await queued_behind_a_commit(b, book, *ITEMS)
    book.allowed.release()
    await book.committed(2)
    assert book.batches[1] == list(ITEMS)
    book.allowed.release()
    async with asyncio.timeout(GUARD):
        await asyncio.gather(*tasks)


async def test_a_failed_batch_is_committed_item_by_item() -> None:
    book, clock = Book(fail_with="refused"), Clock()
    b = batcher(book, clock, hold=0.0)
    tasks = await queued_behind_a_commit(b, book, "outcome-1", "refused", "mark-1")
    for _ in range(5):  # the first, the failed batch, then its three items alone
        book.allowed.release()
    async with asyncio.timeout(GUARD):
        results = await asyncio.gather(*tasks)
    assert book.batches[1:] == [
        ["outcome-1", "refused", "mark-1"],
        ["outcome-1"],
        ["refused"],
        ["mark-1"],
    ]
    assert results == [True, True, False, True]


@pytest.mark.parametrize("hold", [0.0, 1.0])
async def test_an_item_alone_is_committed_at_once(hold: float) -> None:
    book, clock = Book(), Clock()
    b = batcher(book, clock, hold=hold)
    book.allowed.release()
    async with asyncio.timeout(GUARD):
        assert await b.submit("outcome-1") is True
    assert book.batches == [["outcome-1"]]


async def test_while_calls_are_starting_the_others_wait_within_their_hold() -> None:
    """``busy`` (a mark queued a moment ago, here or on another writer): an outcome waits while
    it says so; a mark that comes meanwhile goes at once, alone; once the outcome has waited its
    hold it goes although calls are still starting."""
    book, clock = Book(), Clock()
    busy = True
    b = Batcher(
        book.commit,
        window=0.0,
        max_batch=50,
        what="test items",
        urgent=lambda item: item.startswith("mark"),
        hold=1.0,
        busy=lambda: busy,
        clock=clock,
    )
    outcome = asyncio.ensure_future(b.submit("outcome-1"))
    for _ in range(5):  # the collector looks again (``BUSY_RECHECK``) and keeps it back
        await asyncio.sleep(0.02)
    assert book.batches == []
    mark = asyncio.ensure_future(b.submit("mark-1"))
    await book.committed(1)
    assert book.batches == [["mark-1"]]
    book.allowed.release()
    async with asyncio.timeout(GUARD):
        assert await mark is True
    assert not outcome.done()
    clock.now += 1.0  # its hold is over: calls starting no longer keep it back
    await book.committed(2)
    assert book.batches[1] == ["outcome-1"]
    book.allowed.release()
    async with asyncio.timeout(GUARD):
        assert await outcome is True


async def test_an_outcome_goes_once_no_call_is_starting() -> None:
    book, clock = Book(), Clock()
    busy = [True]
    b = Batcher(
        book.commit,
        window=0.0,
        max_batch=50,
        what="test items",
        hold=1.0,
        busy=lambda: busy[0],
        clock=clock,
    )
    outcome = asyncio.ensure_future(b.submit("outcome-1"))
    await asyncio.sleep(0.02)
    assert book.batches == []
    busy[0] = False
    book.allowed.release()
    await book.committed(1)
    async with asyncio.timeout(GUARD):
        assert await outcome is True
    assert book.batches == [["outcome-1"]]


async def test_a_burst_is_several_urgent_items_close_together() -> None:
    """``urgent_burst``: the recorder's sign that a drain is starting calls. One mark now and
    then (a post every few seconds) is no burst, so its outcome is recorded at once."""
    book, clock = Book(), Clock()
    b = batcher(book, clock, hold=1.0)
    for _ in range(BURST):
        book.allowed.release()
    async with asyncio.timeout(GUARD):
        for i in range(BURST - 1):
            assert await b.submit(f"mark-{i}") is True
            clock.now += 0.001
        assert not b.urgent_burst(0.02)
        assert await b.submit("mark-last") is True
    assert b.urgent_burst(0.02)
    clock.now += 0.05
    assert not b.urgent_burst(0.02)
