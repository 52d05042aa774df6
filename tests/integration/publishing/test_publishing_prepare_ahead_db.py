"""Preparing ahead through the database: a claim with ``due_by`` takes rows due soon and no
later ones; the publisher prepares them, marks and publishes each only once its due time has
come, and a stop while they wait hands them back unsent. The wait is the test's own timer."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest
from publishing_support import FakeChannel, seed
from sqlalchemy import select, update

from channels.base import GoingPublic, Post, Receipt
from review.db import SessionFactory
from review.models import Publication, utcnow
from review.publishing.claiming import Claimed, DbClaims
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher
from review.store import publications as store

AHEAD = PublishingConfig(lease_seconds=60, prepare_ahead_seconds=60)
GUARD = 60  # seconds: a hang fails the test instead of blocking the suite


async def rows(sf: SessionFactory) -> list[Publication]:
    async with sf() as s:
        return list((await s.scalars(select(Publication).order_by(Publication.id))).all())


async def due_in(sf: SessionFactory, seconds: float) -> None:
    async with sf.begin() as s:
        await s.execute(update(Publication).values(due_at=utcnow() + timedelta(seconds=seconds)))


@dataclass
class Drafting(FakeChannel):
    """Counts private steps (a WeChat draft) apart from public calls."""

    drafted: list[int] = field(default_factory=list)

    async def publish(self, post: Post, *, going_public: GoingPublic) -> Receipt:
        self.drafted.append(post.publication_id)
        return await super().publish(post, going_public=going_public)


@dataclass
class Held:
    """The wait until a row is due: ends when the test says so."""

    asked: asyncio.Queue[float] = field(default_factory=asyncio.Queue)
    over: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, seconds: float) -> None:
        self.asked.put_nowait(seconds)
        await self.over.wait()


@dataclass
class Watched:
    """The publisher's claims as the test sees them: each finished claim reports how many rows
    it took, and a claim may be held at the door until the test opens it — so a stop lands
    when the drain is idle, or in the middle of a claim, by the test's choice, never by luck."""

    inner: DbClaims
    taken: asyncio.Queue[int] = field(default_factory=asyncio.Queue)
    door: dict[int, asyncio.Event] = field(default_factory=dict)
    made: int = 0

    async def claim(self, limit: int, *, ahead: float = 0.0, ahead_rows: int = 0) -> Claimed:
        self.made += 1
        if self.made in self.door:
            await self.door[self.made].wait()
        claimed = await self.inner.claim(limit, ahead=ahead, ahead_rows=ahead_rows)
        self.taken.put_nowait(claimed.taken)
        return claimed

    async def hand_back(self) -> int:
        return await self.inner.hand_back()


def watch(pub: Publisher) -> Watched:
    watched = Watched(pub.claims)
    pub.claims = watched  # type: ignore[assignment]
    return watched


@pytest.mark.pg
async def test_a_claim_with_due_by_takes_rows_due_soon_and_no_later(sf: SessionFactory) -> None:
    seeded = await seed(sf, 3)
    first = seeded.publication_ids[0]
    await due_in(sf, 600)
    async with sf.begin() as s:
        await s.execute(
            update(Publication)
            .where(Publication.id == first)
            .values(due_at=utcnow() + timedelta(seconds=30))
        )
    async with sf.begin() as s:
        now = utcnow()
        kw = {"limit": 10, "worker": "w", "lease_seconds": 60}
        assert await store.claim_due(s, now=now, **kw) == []
        soon = await store.claim_due(s, now=now, due_by=now + timedelta(seconds=60), **kw)
    assert [p.id for p in soon] == [first]


@pytest.mark.pg
async def test_rows_beyond_the_free_slots_are_only_rows_not_yet_due(sf: SessionFactory) -> None:
    """A backlog due now is claimed slot by slot (the rest is left for another replica); only
    rows not yet due are taken beyond the free slots, to be prepared."""
    ids = (await seed(sf, 5)).publication_ids
    backlog, soon = ids[:3], ids[3:]
    async with sf.begin() as s:
        await s.execute(update(Publication).values(due_at=utcnow() - timedelta(seconds=5)))
        await s.execute(
            update(Publication)
            .where(Publication.id.in_(soon))
            .values(due_at=utcnow() + timedelta(seconds=30))
        )
    pub = Publisher(sf, {"ccmz_wechat": Drafting("ccmz_wechat")}, AHEAD)  # type: ignore[dict-item]
    claimed = await pub.claims.claim(1, ahead=60, ahead_rows=10)
    assert [p.id for p, _ in claimed.sendable] == [backlog[0], *soon]
    after = {r.id: r.status for r in await rows(sf)}
    assert [after[i] for i in backlog] == ["publishing", "scheduled", "scheduled"]


@pytest.mark.pg
async def test_prepared_rows_go_public_only_when_due(sf: SessionFactory) -> None:
    await seed(sf, 3)
    await due_in(sf, 30)
    ch, held = Drafting("ccmz_wechat"), Held()
    pub = Publisher(sf, {"ccmz_wechat": ch}, AHEAD, sleep=held)  # type: ignore[dict-item]
    drain = asyncio.ensure_future(pub.publish_due())
    async with asyncio.timeout(GUARD):
        for _ in range(3):
            assert 0 < await held.asked.get() <= 30
    assert len(ch.drafted) == 3 and ch.calls == 0
    assert [(r.status, r.sending_at) for r in await rows(sf)] == [("publishing", None)] * 3
    held.over.set()  # their due time has come
    async with asyncio.timeout(GUARD):
        assert await drain == 3
    after = await rows(sf)
    assert [r.status for r in after] == ["published"] * 3
    assert all(r.sending_at is not None for r in after)
    assert set(ch.published.values()) == {1}


@pytest.mark.pg
async def test_a_stop_while_prepared_rows_wait_hands_them_back(sf: SessionFactory) -> None:
    await seed(sf, 2)
    await due_in(sf, 30)
    ch, held = Drafting("ccmz_wechat"), Held()
    pub = Publisher(sf, {"ccmz_wechat": ch}, replace(AHEAD, concurrency_per_account=1), sleep=held)  # type: ignore[dict-item]
    claims = watch(pub)
    drain = asyncio.ensure_future(pub.publish_due())
    async with asyncio.timeout(GUARD):
        for _ in range(2):
            await held.asked.get()
        # one call slot, and both rows prepared from the first claim; the second found nothing
        assert [await claims.taken.get() for _ in range(2)] == [2, 0]  # the drain is idle
        assert await pub.stop(grace=GUARD) == 0  # each waiting row went back by itself
        await drain
    assert ch.calls == 0 and len(ch.drafted) == 2
    after = await rows(sf)
    assert [(r.status, r.sending_at, r.claimed_by, r.attempts) for r in after] == [
        ("scheduled", None, None, 0)
    ] * 2


@pytest.mark.pg
async def test_rows_a_claim_retakes_during_a_stop_go_back_too(sf: SessionFactory) -> None:
    """The stop comes while a claim is under way: the waiting rows go back by themselves, the
    claim then takes them again (due soon and ``scheduled``), and the drain hands them back
    once more — nothing is sent, nothing is left claimed."""
    await seed(sf, 2)
    await due_in(sf, 30)
    ch, held = Drafting("ccmz_wechat"), Held()
    pub = Publisher(sf, {"ccmz_wechat": ch}, replace(AHEAD, concurrency_per_account=1), sleep=held)  # type: ignore[dict-item]
    claims = watch(pub)
    second = claims.door[2] = asyncio.Event()
    drain = asyncio.ensure_future(pub.publish_due())
    async with asyncio.timeout(GUARD):
        for _ in range(2):
            await held.asked.get()
        assert await pub.stop(grace=GUARD) == 0
        assert [(r.status, r.claimed_by) for r in await rows(sf)] == [("scheduled", None)] * 2
        second.set()  # the claim that was under way goes on now
        assert await drain == 4
    assert [await claims.taken.get() for _ in range(2)] == [2, 2]  # both rows taken again
    assert ch.calls == 0 and len(ch.drafted) == 2
    after = await rows(sf)
    assert [(r.status, r.sending_at, r.claimed_by, r.attempts) for r in after] == [
        ("scheduled", None, None, 0)
    ] * 2
