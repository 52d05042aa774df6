"""The publish tick without a database: the engine driven through its two seams (claims and the
outcome log) by an in-memory ledger, against fake platforms."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fake_ledger import Clock, FakeLedger
from publishing_support import FakeChannel

from channels.base import GoingPublic, NotSent, Post, Receipt, Transient
from review.publishing.config import PublishingConfig
from review.publishing.engine import Engine
from review.states import PublicationStatus as P

CONFIG = PublishingConfig(
    batch_size=50,
    concurrency_per_account=3,
    lease_seconds=60,
    max_attempts=4,
    backoff_base_seconds=30,
    backoff_cap_seconds=300,
)


def engine(ledger: FakeLedger, *channels: FakeChannel, config: PublishingConfig = CONFIG) -> Engine:
    by_key = {ch.account_key: ch for ch in channels}
    return Engine(by_key, config, ledger, ledger, clock=ledger.clock)


def ledger() -> FakeLedger:
    return FakeLedger(Clock(datetime(2025, 3, 3, 9, 0, tzinfo=UTC)))


@dataclass
class SlowChannel(FakeChannel):
    """Publishes after a pause, remembering the most calls it ever had running at once."""

    running: int = 0
    peak: int = 0
    called: asyncio.Event = field(default_factory=asyncio.Event)

    async def publish(self, post: Post, *, going_public: GoingPublic) -> Receipt:
        await going_public()
        self.running += 1
        self.called.set()
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(0.01)
            return await super().publish(post)
        finally:
            self.running -= 1


async def test_a_due_post_is_sent_once_and_recorded() -> None:
    book = ledger()
    due = [book.add("ccmz_wechat") for _ in range(3)]
    later = book.add("ccmz_wechat", due_in=3600)
    ch = FakeChannel("ccmz_wechat")
    eng = engine(book, ch)
    assert await eng.publish_due() == 3
    assert await eng.publish_due() == 0
    assert sorted(ch.published.values()) == [1, 1, 1] and ch.calls == 3
    assert sorted(book.recorded) == [(pid, P.PUBLISHED) for pid in due]
    assert book.rows[due[0]].remote_id == f"r{due[0]}"
    assert book.status(later) is P.SCHEDULED and book.rows[later].attempts == 0


async def test_a_request_that_never_left_is_sent_again_after_the_backoff() -> None:
    book = ledger()
    pid = book.add("ccmz_wechat")
    ch = FakeChannel("ccmz_wechat", failures=[NotSent("cannot connect")])
    eng = engine(book, ch)
    await eng.publish_due()
    row = book.rows[pid]
    assert (row.status, row.receipt_extra) == (P.SCHEDULED, {})  # not flagged: it never left
    assert row.due_at == book.clock() + timedelta(seconds=CONFIG.backoff_base_seconds)
    assert await eng.publish_due() == 0  # not before the backoff
    book.clock.advance(CONFIG.backoff_base_seconds)
    assert await eng.publish_due() == 1
    assert (row.status, row.attempts) == (P.PUBLISHED, 2)
    assert (ch.calls, ch.checks, ch.published["nm-1"]) == (2, 0, 1)


async def test_a_request_that_may_have_arrived_is_checked_not_resent() -> None:
    """A timeout may hide a post the platform did publish: the retry only looks for it, and
    what the platform cannot confirm goes to a human instead of out a second time."""
    book = ledger()
    pid = book.add("ccmz_wechat")
    ch = FakeChannel("ccmz_wechat", failures=[Transient("timed out", code="timeout")])
    eng = engine(book, ch)
    await eng.publish_due()
    assert book.status(pid) is P.SCHEDULED and book.rows[pid].receipt_extra == {"ambiguous": "1"}
    book.clock.advance(CONFIG.backoff_cap_seconds)
    await eng.publish_due()
    assert (ch.calls, ch.checks) == (1, 1)
    assert book.status(pid) is P.NEEDS_CHECK


async def test_a_post_found_after_an_unclear_attempt_is_recorded_as_published() -> None:
    book = ledger()
    pid = book.add("ccmz_wechat")
    ch = FakeChannel("ccmz_wechat")

    async def publish_then_lose_the_answer(post: Post, *, going_public: GoingPublic) -> Receipt:
        await going_public()
        ch.calls += 1
        ch.published[post.idempotency_key] += 1
        raise Transient("connection reset", code="network")

    ch.publish = publish_then_lose_the_answer  # type: ignore[method-assign]
    eng = engine(book, ch)
    await eng.publish_due()
    book.clock.advance(CONFIG.backoff_cap_seconds)
    await eng.publish_due()
    assert book.status(pid) is P.PUBLISHED
    assert (ch.calls, ch.checks, ch.published["nm-1"]) == (1, 1, 1)


async def test_calls_per_account_stay_within_the_configured_concurrency() -> None:
    book = ledger()
    for _ in range(8):
        book.add("ccmz_wechat")
        book.add("ccmz_weibo")
    wechat, weibo = SlowChannel("ccmz_wechat"), SlowChannel("ccmz_weibo")
    assert await engine(book, wechat, weibo).publish_due() == 16
    # each account has its own limit: both reach it, neither exceeds it
    assert (wechat.peak, weibo.peak) == (3, 3)
    assert sum(wechat.published.values()) == sum(weibo.published.values()) == 8


@dataclass
class CountingChannel(FakeChannel):
    """Sets ``reached`` once it has published ``target`` posts."""

    target: int = 2
    reached: asyncio.Event = field(default_factory=asyncio.Event)

    async def publish(self, post: Post, *, going_public: GoingPublic) -> Receipt:
        await going_public()
        receipt = await super().publish(post)
        if sum(self.published.values()) >= self.target:
            self.reached.set()
        return receipt


async def test_the_next_claim_does_not_wait_for_an_outcome_to_be_recorded() -> None:
    """One call slot: once the first call has answered, the second row is claimed and sent
    while the first outcome is still being recorded (recording is off the critical path)."""
    book = ledger()
    pids = [book.add("ccmz_wechat") for _ in range(2)]
    ch = CountingChannel("ccmz_wechat")
    recorded = asyncio.Event()
    record = book.record

    async def held_record(*args: Any, **kwargs: Any) -> bool:
        await recorded.wait()
        return await record(*args, **kwargs)

    book.record = held_record  # type: ignore[method-assign]
    eng = engine(book, ch, config=PublishingConfig(concurrency_per_account=1))
    drain = asyncio.ensure_future(eng.publish_due())
    # a guard against a hang (the old engine waited for the record), not a wait for a race
    await asyncio.wait_for(ch.reached.wait(), 30)
    assert book.recorded == [] and book.limits[:2] == [1, 1]  # each claim took the one slot
    recorded.set()
    assert await drain == 2
    assert [book.status(p) for p in pids] == [P.PUBLISHED, P.PUBLISHED]
    assert set(ch.published.values()) == {1}


async def test_rows_not_yet_sent_when_stopping_are_handed_back() -> None:
    """Two accounts' slots are claimed (capacity 2) but every row is for one account: one call
    runs, one row waits for the slot. Stopping ends the wait unsent and hands its row back."""
    book = ledger()
    pids = [book.add("ccmz_wechat") for _ in range(3)]
    ch = SlowChannel("ccmz_wechat")
    one_each = PublishingConfig(concurrency_per_account=1)
    eng = engine(book, ch, FakeChannel("ccmz_weibo"), config=one_each)
    drain = asyncio.ensure_future(eng.publish_due())
    await ch.called.wait()
    assert await eng.stop(60) == 1
    await drain
    assert [book.status(p) for p in pids] == [P.PUBLISHED, P.SCHEDULED, P.SCHEDULED]
    assert book.handed_back == [pids[1]] and book.rows[pids[1]].attempts == 0
    assert book.rows[pids[2]].attempts == 0  # never claimed: a claim takes only free slots
    assert ch.calls == 1
