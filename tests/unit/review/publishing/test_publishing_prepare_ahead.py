"""Rows due within ``prepare_ahead_seconds`` are claimed and their private steps done before
their due time; the mark and the public call wait for it, without holding a call slot, and a
stop meanwhile sends nothing. The wait is a timer the test ends itself (never a clock)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from fake_ledger import Clock, FakeLedger
from publishing_support import FakeChannel

from channels.base import GoingPublic, Post, Receipt
from review.publishing.config import PublishingConfig
from review.publishing.engine import Engine
from review.states import PublicationStatus as P

GUARD = 60  # seconds: a hang fails the test instead of blocking the suite


@dataclass
class Drafting(FakeChannel):
    """A WeChat-like platform: a private draft first, then the public call; logs both with the
    ledger's state at that moment."""

    book: FakeLedger | None = None
    log: list[tuple[str, int, bool]] = field(default_factory=list)

    async def publish(self, post: Post, *, going_public: GoingPublic) -> Receipt:
        assert self.book is not None
        pid = post.publication_id
        self.log.append(("draft", pid, self.book.rows[pid].sending_at is not None))
        await going_public()
        self.log.append(("public", pid, self.book.rows[pid].sending_at is not None))
        return await super().publish(post)


@dataclass
class DueTimer:
    """Stands in for the wait until a row is due: records what it was asked and ends when the
    test moves the clock on."""

    clock: Clock
    asked: list[float] = field(default_factory=list)
    waiting: asyncio.Queue[float] = field(default_factory=asyncio.Queue)
    passed: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        self.waiting.put_nowait(seconds)
        await self.passed.wait()

    def pass_time(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.passed.set()


def setup(
    n: int, *, due_in: float, ahead: float, rows: int = 1000
) -> tuple[FakeLedger, Drafting, DueTimer, Engine]:
    book = FakeLedger(Clock(datetime(2025, 3, 3, 8, 59, 58, tzinfo=UTC)))
    for _ in range(n):
        book.add("ccmz_wechat", due_in=due_in)
    ch = Drafting("ccmz_wechat", book=book)
    timer = DueTimer(book.clock)
    config = PublishingConfig(
        concurrency_per_account=1,  # one call slot: a waiting row must not hold it
        lease_seconds=60,
        prepare_ahead_seconds=ahead,
        prepare_ahead_rows=rows,
    )
    eng = Engine({"ccmz_wechat": ch}, config, book, book, clock=book.clock, sleep=timer)  # type: ignore[arg-type]
    return book, ch, timer, eng


async def wait_for(timer: DueTimer, n: int) -> None:
    async with asyncio.timeout(GUARD):
        for _ in range(n):
            await timer.waiting.get()


async def test_a_burst_is_prepared_before_its_minute_and_goes_public_only_at_it() -> None:
    book, ch, timer, eng = setup(4, due_in=1.5, ahead=2.0)
    drain = asyncio.ensure_future(eng.publish_due())
    await wait_for(timer, 4)  # all four prepared through one call slot: none holds it waiting
    assert [e for e, _, _ in ch.log] == ["draft"] * 4
    assert all(r.status is P.PUBLISHING and r.sending_at is None for r in book.rows.values())
    assert ch.calls == 0 and timer.asked == [1.5] * 4
    timer.pass_time(1.5)
    async with asyncio.timeout(GUARD):
        assert await drain == 4
    publics = [(pid, marked) for e, pid, marked in ch.log if e == "public"]
    assert sorted(pid for pid, _ in publics) == [1, 2, 3, 4]
    assert all(marked for _, marked in publics)  # each mark committed before its public call
    assert all(r.sending_at == book.clock() for r in book.rows.values())  # marked at due time
    assert [book.status(p) for p in range(1, 5)] == [P.PUBLISHED] * 4
    assert set(ch.published.values()) == {1}


async def test_rows_beyond_the_horizon_or_the_ceiling_are_not_claimed_early() -> None:
    book, ch, _timer, eng = setup(2, due_in=5.0, ahead=2.0)
    assert await eng.publish_due() == 0 and ch.log == [] and book.claims == 1
    book2, _ch2, timer2, eng2 = setup(5, due_in=1.0, ahead=2.0, rows=2)
    drain = asyncio.ensure_future(eng2.publish_due())
    await wait_for(timer2, 2)
    # two prepared rows wait; the ceiling keeps the other three scheduled for now
    assert sum(r.status is P.PUBLISHING for r in book2.rows.values()) == 2
    timer2.pass_time(1.0)
    async with asyncio.timeout(GUARD):
        assert await drain == 2
        assert await eng2.publish_due() == 3  # the loop's next round: the rest, now due
    assert [book2.status(p) for p in range(1, 6)] == [P.PUBLISHED] * 5


async def test_a_burst_due_soon_is_claimed_at_once_a_backlog_due_now_slot_by_slot() -> None:
    """Rows not yet due are claimed beyond the free call slots, so a burst is prepared in a
    few large claims; rows already due never are: a backlog is claimed as slots free up (the
    rest stays ``scheduled`` for another replica)."""
    book, _ch, timer, eng = setup(30, due_in=1.5, ahead=2.0)
    drain = asyncio.ensure_future(eng.publish_due())
    await wait_for(timer, 30)
    assert book.taken[0] == 30  # one call slot, and all thirty from the first claim
    timer.pass_time(1.5)
    async with asyncio.timeout(GUARD):
        assert await drain == 30
    backlog, ch, _timer, eng = setup(5, due_in=0.0, ahead=2.0)
    async with asyncio.timeout(GUARD):
        assert await eng.publish_due() == 5
    assert set(backlog.taken) <= {0, 1} and sum(backlog.taken) == 5
    assert set(ch.published.values()) == {1}


@dataclass
class SlowDraft(FakeChannel):
    """A private step (a WeChat draft) that lasts until the test opens ``drafted``."""

    drafted: asyncio.Event = field(default_factory=asyncio.Event)
    began: asyncio.Event = field(default_factory=asyncio.Event)

    async def publish(self, post: Post, *, going_public: GoingPublic) -> Receipt:
        self.began.set()
        await self.drafted.wait()
        return await super().publish(post, going_public=going_public)


async def test_rows_being_prepared_never_hold_back_a_row_due_now() -> None:
    """Thirty rows due soon are still in their private steps (slow drafts) when another
    account's row falls due: the wake-up loop's next drain claims and publishes it at once."""
    book = FakeLedger(Clock(datetime(2025, 3, 3, 8, 59, 58, tzinfo=UTC)))
    for _ in range(30):
        book.add("ccmz_wechat", due_in=1.5)
    wechat, weibo = SlowDraft("ccmz_wechat"), FakeChannel("ccmz_weibo")
    config = PublishingConfig(concurrency_per_account=1, prepare_ahead_seconds=2.0)
    channels = {"ccmz_wechat": wechat, "ccmz_weibo": weibo}
    eng = Engine(channels, config, book, book, clock=book.clock, sleep=DueTimer(book.clock))  # type: ignore[arg-type]
    first = asyncio.ensure_future(eng.publish_due())
    async with asyncio.timeout(GUARD):
        await wechat.began.wait()  # the burst is claimed and its first draft under way
    assert book.taken[0] == 30
    due_now = book.add("ccmz_weibo")
    async with asyncio.timeout(GUARD):
        assert await eng.publish_due() == 1  # the next drain, as the row fell due
    assert book.status(due_now) is P.PUBLISHED and wechat.calls == 0
    wechat.drafted.set()
    async with asyncio.timeout(GUARD):
        await eng.stop(grace=GUARD)
        assert await first == 30
    assert wechat.calls == 0  # stopped before their due time: handed back unsent


@pytest.mark.parametrize("rows", [0, 1])
async def test_a_low_ceiling_never_holds_back_rows_already_due(rows: int) -> None:
    """The ceiling limits only what is prepared ahead: due rows go out whatever it is."""
    book, ch, _timer, eng = setup(3, due_in=0.0, ahead=2.0, rows=rows)
    async with asyncio.timeout(GUARD):
        assert await eng.publish_due() == 3
    assert [book.status(p) for p in range(1, 4)] == [P.PUBLISHED] * 3
    assert set(ch.published.values()) == {1}


async def test_a_stop_while_prepared_rows_wait_sends_nothing_and_hands_them_back() -> None:
    book, ch, timer, eng = setup(3, due_in=1.5, ahead=2.0)
    drain = asyncio.ensure_future(eng.publish_due())
    await wait_for(timer, 3)
    async with asyncio.timeout(GUARD):
        await eng.stop(grace=GUARD)
        await drain
    assert ch.calls == 0 and [e for e, _, _ in ch.log] == ["draft"] * 3
    assert [book.status(p) for p in range(1, 4)] == [P.SCHEDULED] * 3
    assert all(r.sending_at is None and r.attempts == 0 for r in book.rows.values())


async def test_without_preparing_ahead_nothing_is_claimed_before_it_is_due() -> None:
    book, ch, _timer, eng = setup(2, due_in=1.0, ahead=0.0)
    assert await eng.publish_due() == 0 and ch.log == []
    book.clock.advance(1.0)
    assert await eng.publish_due() == 2
    assert [book.status(p) for p in (1, 2)] == [P.PUBLISHED] * 2
