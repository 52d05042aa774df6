"""The database knows whether a call may have started: a row is marked sending, committed, before
its platform call; a lapsed claim never marked goes back to ``scheduled`` by itself and publishes
once; only marked rows are reconciled; a stop hands back what it claimed and never sent."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from publishing_support import FakeChannel, seed
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import GoingPublic, NotSent, Post, Receipt
from review.db import SessionFactory
from review.models import Notification, Publication, utcnow
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher
from review.publishing.reconciliation import reconcile_expired
from review.store import publications as store

FAST = PublishingConfig(
    backoff_base_seconds=0.01, backoff_cap_seconds=0.05, max_attempts=4, lease_seconds=10
)
GUARD = 60  # seconds: a hang fails the test instead of blocking the suite


async def rows(sf: SessionFactory) -> list[Publication]:
    async with sf() as s:
        return list((await s.scalars(select(Publication).order_by(Publication.id))).all())


async def kinds(sf: SessionFactory) -> list[str]:
    async with sf() as s:
        return list((await s.scalars(select(Notification.kind))).all())


@dataclass
class Observing(FakeChannel):
    """At each call, reads the row from the database on a connection of its own: what it sees
    is committed."""

    sf: SessionFactory | None = None
    seen: list[tuple[str, bool]] = field(default_factory=list)

    async def publish(self, post: Post, *, going_public: GoingPublic) -> Receipt:
        await going_public()
        assert self.sf is not None
        async with self.sf() as s:
            row = await s.get(Publication, post.publication_id)
            assert row is not None
            self.seen.append((row.status, row.sending_at is not None))
        return await super().publish(post)


@dataclass
class Timer:
    """``Engine.stop``'s timer: runs out when the test says so, never by the clock."""

    asked: list[float] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    expire: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        self.started.set()
        # only the first wait (the calls' budget) runs out; any later one would outlast its work
        await (self.expire if len(self.asked) == 1 else asyncio.Event()).wait()


@pytest.mark.pg
async def test_the_mark_is_committed_before_the_call(sf: SessionFactory) -> None:
    await seed(sf, 4)
    ch = Observing("ccmz_wechat", sf=sf)
    pub = Publisher(sf, {"ccmz_wechat": ch}, FAST)  # type: ignore[dict-item]
    assert await pub.publish_due() == 4
    assert ch.seen == [("publishing", True)] * 4
    done = await rows(sf)
    assert [r.status for r in done] == ["published"] * 4
    assert all(r.sending_at is not None for r in done)  # kept: when the post was sent
    # the marks of the calls that started together shared one transaction
    assert pub.recorder.mark_batches == 1


@pytest.mark.pg
async def test_a_row_taken_before_its_mark_is_not_sent(sf: SessionFactory) -> None:
    seeded = await seed(sf, 3)
    stolen = seeded.publication_ids[1]

    async def claim_then_lose_one(session: AsyncSession, **kw: Any) -> list[Publication]:
        claimed = await store.claim_due(session, **kw)
        # another worker took this row over after our claim, before our mark
        await session.execute(
            update(Publication).where(Publication.id == stolen).values(claimed_by="thief")
        )
        return claimed

    ch = FakeChannel("ccmz_wechat")
    pub = Publisher(sf, {"ccmz_wechat": ch}, FAST, claim=claim_then_lose_one)  # type: ignore[dict-item]
    await pub.publish_due()
    assert ch.calls == 2
    after = {r.id: r for r in await rows(sf)}
    assert (after[stolen].status, after[stolen].claimed_by) == ("publishing", "thief")
    assert after[stolen].sending_at is None
    assert ch.published[after[stolen].idempotency_key] == 0


@pytest.mark.pg
async def test_a_claim_takes_about_the_concurrency(sf: SessionFactory) -> None:
    await seed(sf, 10)
    limits: list[int] = []

    async def counted(session: AsyncSession, **kw: Any) -> list[Publication]:
        limits.append(kw["limit"])
        return await store.claim_due(session, **kw)

    ch = FakeChannel("ccmz_wechat")
    pub = Publisher(
        sf, {"ccmz_wechat": ch}, replace(FAST, concurrency_per_account=2), claim=counted
    )  # type: ignore[dict-item]
    assert await pub.publish_due() == 10
    assert limits[0] == 2 and max(limits) == 2  # not batch_size (200)
    assert sum(ch.published.values()) == 10 and set(ch.published.values()) == {1}


async def claim_for(sf: SessionFactory, worker: str, n: int, *, mark: int = 0) -> list[int]:
    """A worker claims ``n`` rows and marks the first ``mark`` of them, then dies."""
    async with sf.begin() as s:
        claimed = await store.claim_due(s, now=utcnow(), limit=n, worker=worker, lease_seconds=60)
    ids = [p.id for p in claimed]
    async with sf.begin() as s:
        assert await store.mark_sending(s, ids[:mark], worker=worker, now=utcnow()) == set(
            ids[:mark]
        )
    return ids


async def expire_leases(sf: SessionFactory) -> None:
    async with sf.begin() as s:
        await s.execute(update(Publication).values(lease_until=utcnow() - timedelta(seconds=1)))


@pytest.mark.pg
async def test_a_lapsed_claim_never_marked_goes_back_and_publishes_once(sf: SessionFactory) -> None:
    await seed(sf, 4)
    ch = FakeChannel("ccmz_wechat")
    ids = await claim_for(sf, "dead", 4, mark=1)
    sent = next(r for r in await rows(sf) if r.id == ids[0])
    ch.published[sent.idempotency_key] += 1  # the marked one did reach the platform
    await expire_leases(sf)
    survivor = Publisher(sf, {"ccmz_wechat": ch}, FAST)  # type: ignore[dict-item]
    assert await survivor.hand_back_expired() == 3
    back = [r for r in await rows(sf) if r.id in ids[1:]]
    assert {(r.status, r.attempts, r.claimed_by, r.lease_until) for r in back} == {
        ("scheduled", 0, None, None)
    }
    # only the marked row is reconciled (asked about, found on the platform)
    assert await reconcile_expired(survivor) == 1 and ch.checks == 1
    assert await survivor.publish_due() == 3
    after = await rows(sf)
    assert [r.status for r in after] == ["published"] * 4
    assert [r.attempts for r in after] == [1] * 4
    assert set(ch.published.values()) == {1} and len(ch.published) == 4
    assert await kinds(sf) == []  # nothing for a person: no needs_check, no alert


@pytest.mark.pg
async def test_only_marked_rows_are_taken_for_reconciliation(sf: SessionFactory) -> None:
    await seed(sf, 3)
    ids = await claim_for(sf, "dead", 3, mark=2)
    await expire_leases(sf)
    async with sf.begin() as s:
        taken = await store.claim_expired(
            s, now=utcnow(), limit=10, worker="reconciler", lease_seconds=60
        )
    assert sorted(p.id for p in taken) == ids[:2]
    after = {r.id: r for r in await rows(sf)}
    assert (after[ids[2]].status, after[ids[2]].claimed_by) == ("publishing", "dead")


@pytest.mark.pg
async def test_a_retry_and_a_new_claim_start_unmarked(sf: SessionFactory) -> None:
    """A row marked in a failed attempt goes back to scheduled unmarked: its next attempt is
    marked afresh (a stale mark would refuse the call)."""
    await seed(sf, 1)
    ch = FakeChannel("ccmz_wechat", failures=[NotSent("refused")])
    pub = Publisher(sf, {"ccmz_wechat": ch}, FAST)  # type: ignore[dict-item]
    await pub.publish_due()
    [row] = await rows(sf)
    assert (row.status, row.sending_at) == ("scheduled", None)
    async with sf.begin() as s:  # the backoff is over
        await s.execute(update(Publication).values(due_at=utcnow(), sending_at=utcnow()))
    assert await pub.publish_due() == 1  # a mark left by anything else is cleared by the claim
    [row] = await rows(sf)
    assert (row.status, ch.calls, ch.published[row.idempotency_key]) == ("published", 2, 1)


@pytest.mark.pg
async def test_stop_hands_back_the_unmarked_and_leaves_calls_in_flight_marked(
    sf: SessionFactory,
) -> None:
    """Two calls are held at the platform (the gate never opens) and two claimed rows wait for
    a slot. Stop waits its call budget (the timer the test ends), then hands back the two in
    one UPDATE; the two in flight stay ``publishing`` with their mark, for reconciliation."""
    await seed(sf, 6)
    ch = FakeChannel("ccmz_wechat", gate=asyncio.Event())
    channels = {"ccmz_wechat": ch, "ccmz_weibo": FakeChannel("ccmz_weibo")}
    pub = Publisher(sf, channels, replace(FAST, concurrency_per_account=2))  # type: ignore[arg-type]
    drain = asyncio.ensure_future(pub.publish_due())
    calling = {await asyncio.wait_for(ch.arrived.get(), GUARD) for _ in range(2)}
    timer = Timer()
    stop = asyncio.ensure_future(pub.stop(2.0, 0.5, timer=timer))
    await asyncio.wait_for(timer.started.wait(), GUARD)
    await asyncio.wait_for(drain, GUARD)
    assert not stop.done() and timer.asked == [2.0]
    timer.expire.set()
    assert await asyncio.wait_for(stop, GUARD) == 2
    after = await rows(sf)
    in_flight = [r for r in after if r.id in calling]
    assert {(r.status, r.claimed_by) for r in in_flight} == {("publishing", pub.worker)}
    assert all(r.sending_at is not None for r in in_flight)
    rest = [r for r in after if r.id not in calling]
    assert {(r.status, r.attempts, r.claimed_by, r.sending_at) for r in rest} == {
        ("scheduled", 0, None, None)
    }
    assert ch.calls == 2
    # once their lease runs out, only the two in flight are a reconciler's
    await expire_leases(sf)
    survivor = Publisher(sf, channels, FAST)  # type: ignore[arg-type]
    assert await survivor.hand_back_expired() == 0
    async with sf.begin() as s:
        taken = await store.claim_expired(
            s, now=utcnow(), limit=10, worker=survivor.worker, lease_seconds=60
        )
    assert {p.id for p in taken} == calling
    # the held calls come back: their receipts are kept on the rows the reconciler holds
    kept = asyncio.Event()
    late = pub.recorder.record_late
    receipts: list[object] = []

    async def record_late(*args: Any) -> object:
        receipts.append(await late(*args))
        if len(receipts) == len(calling):
            kept.set()
        return receipts[-1]

    pub.recorder.record_late = record_late  # type: ignore[method-assign,assignment]
    ch.gate.set()  # type: ignore[union-attr]
    await asyncio.wait_for(kept.wait(), GUARD)
    assert receipts == ["published"] * 2


@dataclass
class Breaking(FakeChannel):
    """Raises an unexpected error (a bug, a database error) before its public step, or after
    it: only the second can have put the post on the platform."""

    after_mark: bool = False

    async def publish(self, post: Post, *, going_public: GoingPublic) -> Receipt:
        if self.after_mark:
            await going_public()
        raise RuntimeError("boom")


@pytest.mark.pg
@pytest.mark.parametrize(
    ("after_mark", "status", "attempted"),
    [(False, "scheduled", "未发出"), (True, "needs_check", "需人工核对")],
)
async def test_an_unexpected_error_is_a_persons_job_only_after_the_mark(
    sf: SessionFactory, after_mark: bool, status: str, attempted: str
) -> None:
    await seed(sf, 1)
    ch = Breaking("ccmz_wechat", after_mark=after_mark)
    pub = Publisher(sf, {"ccmz_wechat": ch}, FAST)  # type: ignore[dict-item]
    assert await asyncio.wait_for(pub.publish_due(), GUARD) == 1
    [row] = await rows(sf)
    assert row.status == status and attempted in (row.last_error or "")
    assert ("publication_needs_check" in await kinds(sf)) is after_mark
