"""The engine marks a row sending before its call, claims only its free call slots, and stops
within its budget: driven through its seams by the in-memory ledger, interleavings forced with
the fake platform's gate and a timer the test ends itself (never a clock)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fake_ledger import Clock, FakeLedger
from publishing_support import FakeChannel

from channels.base import GoingPublic, Post, Receipt
from review.publishing.config import PublishingConfig
from review.publishing.engine import Engine
from review.states import PublicationStatus as P

GUARD = 60  # seconds: a hang fails the test instead of blocking the suite


def ledger() -> FakeLedger:
    return FakeLedger(Clock(datetime(2025, 3, 3, 9, 0, tzinfo=UTC)))


def engine(book: FakeLedger, *channels: FakeChannel, concurrency: int = 3, **kw: object) -> Engine:
    config = PublishingConfig(concurrency_per_account=concurrency, lease_seconds=60)
    by_key = {ch.account_key: ch for ch in channels}
    return Engine(by_key, config, book, book, clock=book.clock, **kw)  # type: ignore[arg-type]


@dataclass
class Watching(FakeChannel):
    """Records, at each call, whether the ledger already held the row's mark."""

    book: FakeLedger | None = None
    marked_at_call: list[bool] = field(default_factory=list)

    async def publish(self, post: Post, *, going_public: GoingPublic) -> Receipt:
        await going_public()
        assert self.book is not None
        self.marked_at_call.append(self.book.rows[post.publication_id].sending_at is not None)
        return await super().publish(post)


@dataclass
class Timer:
    """Stands in for ``asyncio.sleep`` in ``Engine.stop``: says what it was asked for and runs
    out only when the test says so."""

    asked: list[float] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    expire: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        self.started.set()
        # only the first wait (the calls' budget) runs out; any later one would outlast its work
        await (self.expire if len(self.asked) == 1 else asyncio.Event()).wait()


async def test_every_public_call_starts_after_its_mark_and_the_hook_runs_before_both() -> None:
    """``before_call`` runs as the attempt starts (nothing marked, nothing sent: a crash there
    leaves a row that is simply handed back); the mark is committed at the channel's public step,
    before its call."""
    book = ledger()
    pids = [book.add("ccmz_wechat") for _ in range(5)]
    ch = Watching("ccmz_wechat", book=book)
    seen: list[tuple[int, bool, int]] = []

    def before(pid: int) -> None:
        seen.append((pid, book.rows[pid].sending_at is not None, ch.published[f"nm-{pid}"]))

    eng = engine(book, ch, before_call=before)
    assert await eng.publish_due() == 5
    assert ch.marked_at_call == [True] * 5
    assert sorted(p for p, _, _ in seen) == pids
    assert not any(marked for _, marked, _ in seen)
    assert not any(sent for _, _, sent in seen)
    assert [book.status(p) for p in pids] == [P.PUBLISHED] * 5


async def test_a_row_whose_mark_is_refused_is_not_sent() -> None:
    book = ledger()
    kept, taken = book.add("ccmz_wechat"), book.add("ccmz_wechat")
    book.refuse_marks.add(taken)  # another worker took it between our claim and our mark
    ch = FakeChannel("ccmz_wechat")
    hooked: list[int] = []
    await engine(book, ch, before_call=hooked.append).publish_due()
    assert ch.calls == 1 and sorted(hooked) == [kept, taken]  # the hook runs before any mark
    assert book.status(kept) is P.PUBLISHED
    assert book.status(taken) is P.PUBLISHING  # not ours to record or release
    assert taken not in [pid for pid, _ in book.recorded] and book.released == []


async def test_a_claim_takes_only_the_free_call_slots() -> None:
    book = ledger()
    for _ in range(20):
        book.add("ccmz_wechat")
        book.add("ccmz_weibo")
    wechat, weibo = FakeChannel("ccmz_wechat"), FakeChannel("ccmz_weibo")
    assert await engine(book, wechat, weibo, concurrency=3).publish_due() == 40
    # 3 slots × 2 accounts; refilled once half are free (batch_size 200 is only a ceiling)
    assert book.limits[0] == 6 and max(book.limits) == 6 and min(book.limits) >= 3
    assert sum(wechat.published.values()) == sum(weibo.published.values()) == 20
    assert set(wechat.published.values()) == set(weibo.published.values()) == {1}


async def test_stop_with_calls_stuck_hands_back_the_unmarked_and_keeps_the_marked() -> None:
    """Calls held at the platform never return. Stop waits its call budget (the timer), then
    hands back the rows waiting for a slot; the rows in flight stay marked ``publishing``."""
    book = ledger()
    pids = [book.add("ccmz_wechat") for _ in range(6)]
    ch = FakeChannel("ccmz_wechat", gate=asyncio.Event())  # the gate is never opened
    eng = engine(book, ch, FakeChannel("ccmz_weibo"), concurrency=2)
    drain = asyncio.ensure_future(eng.publish_due())
    calling = {await asyncio.wait_for(ch.arrived.get(), GUARD) for _ in range(2)}
    timer = Timer()
    stop = asyncio.ensure_future(eng.stop(2.0, 0.5, timer=timer))
    await asyncio.wait_for(timer.started.wait(), GUARD)
    await asyncio.wait_for(drain, GUARD)  # the drain returned at once: nothing new is claimed
    assert not stop.done() and timer.asked == [2.0]  # waiting for the calls, within the budget
    timer.expire.set()  # the call budget runs out
    assert await asyncio.wait_for(stop, GUARD) == 2
    waited = set(pids[:4]) - calling
    assert sorted(book.handed_back) == sorted(waited)
    for pid in waited:
        row = book.rows[pid]
        assert (row.status, row.attempts, row.sending_at) == (P.SCHEDULED, 0, None)
    for pid in calling:
        row = book.rows[pid]
        assert row.status is P.PUBLISHING and row.sending_at is not None
    assert [book.status(p) for p in pids[4:]] == [P.SCHEDULED] * 2  # never claimed
    assert ch.calls == 2 and book.claims == 1
    # a second stop (the channels' clean-up after the services') does not wait again
    assert await asyncio.wait_for(eng.stop(2.0, 0.5, timer=timer), GUARD) == 2
    assert timer.asked == [2.0, 0.5]


async def test_stop_with_no_call_in_flight_does_not_wait() -> None:
    book = ledger()
    book.add("ccmz_wechat")
    eng = engine(book, FakeChannel("ccmz_wechat"))
    await eng.publish_due()
    timer = Timer()
    assert await asyncio.wait_for(eng.stop(2.0, timer=timer), GUARD) == 0
    assert timer.asked == [] and eng.stopping
    assert await eng.publish_due() == 0 and book.claims == 1  # stopped: nothing is claimed
