"""The wake-up loop over a real database: it sleeps exactly until the next due post (not the
fallback poll), the fallback still finds rows nobody announced (SQLite), and on PostgreSQL a
NOTIFY from another connection — or from scheduling a post — wakes a loop sleeping on an hour's
fallback. No timers are measured: a fake ``wait`` or an hour-long fallback plus events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from publishing_support import FakeChannel, seed
from sqlalchemy import select, text

from bot.app import create_app
from bot.config.load import Settings
from bot.publishing.listener import Listener, listen_target
from bot.publishing.wakeup import WAKEUP, WakeUp
from review.db import SessionFactory
from review.models import Account, Publication, Revision, utcnow
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher
from review.scheduling import schedule
from review.store import publications as store
from review.store.scheduling import CHANNEL

FAST = PublishingConfig(backoff_base_seconds=0.01, backoff_cap_seconds=0.05, lease_seconds=10)
HOUR = 3600.0
GUARD = 30  # only against a hang


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


def next_due_in(sf: SessionFactory) -> Callable[[], Awaitable[datetime | None]]:
    async def next_due() -> datetime | None:
        async with sf() as session:
            return await store.next_due(session)

    return next_due


async def statuses(sf: SessionFactory) -> list[str]:
    async with sf() as s:
        return list((await s.scalars(select(Publication.status).order_by(Publication.id))).all())


@pytest.mark.pg
async def test_wakes_at_the_due_time_of_a_future_post_not_the_fallback(sf: SessionFactory) -> None:
    clock = Clock()
    await seed(sf, 1, due_at=clock.now + timedelta(seconds=5))
    channel = FakeChannel("ccmz_wechat")
    pub = Publisher(sf, {"ccmz_wechat": channel}, FAST, clock=clock)  # type: ignore[dict-item]
    sleeps: list[float] = []
    parked = asyncio.Event()

    async def wait(event: asyncio.Event, seconds: float) -> None:
        sleeps.append(seconds)
        if seconds < HOUR:  # the timer fires: time moves on by exactly that much
            clock.now += timedelta(seconds=seconds)
            return
        parked.set()
        await event.wait()

    loop = WakeUp(pub.publish_due, next_due_in(sf), fallback=HOUR, clock=clock, wait=wait)
    loop.start()
    await asyncio.wait_for(parked.wait(), GUARD)
    await asyncio.wait_for(loop.stop(), GUARD)
    assert sleeps == [5.0, HOUR]  # due_at − now, then nothing left: the fallback
    assert await statuses(sf) == ["published"] and sum(channel.published.values()) == 1


@pytest.mark.pg
async def test_the_fallback_poll_finds_a_row_nobody_announced(sf: SessionFactory) -> None:
    """SQLite has no NOTIFY (and a command-line process cannot poke the service): when the
    fallback timer fires the loop drains and finds the row."""
    channel = FakeChannel("ccmz_wechat")
    pub = Publisher(sf, {"ccmz_wechat": channel}, FAST)  # type: ignore[dict-item]
    sleeps: list[float] = []
    parked = asyncio.Event()

    async def wait(event: asyncio.Event, seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 1:
            await seed(sf, 1)  # due now, written behind the loop's back; then the timer fires
            return
        parked.set()
        await event.wait()

    loop = WakeUp(pub.publish_due, next_due_in(sf), fallback=1.0, wait=wait)
    loop.start()
    await asyncio.wait_for(parked.wait(), GUARD)
    await asyncio.wait_for(loop.stop(), GUARD)
    assert sleeps == [1.0, 1.0]
    assert await statuses(sf) == ["published"] and sum(channel.published.values()) == 1


class Listening:
    """A loop sleeping on an hour's fallback with a LISTEN connection in place."""

    def __init__(self, settings: Settings) -> None:
        self.drains = asyncio.Queue[int]()
        self.count = 0
        self.loop = WakeUp(self.drain, self.next_due, fallback=HOUR)
        target = listen_target(settings.database_url)
        assert target is not None and "search_path" not in target.dsn
        self.notified = asyncio.Queue[None]()
        self.heard = 0
        self.listener = Listener(target, self.on_notify)

    def on_notify(self) -> None:
        self.heard += 1
        self.notified.put_nowait(None)
        self.loop.poke()

    async def drain(self) -> int:
        self.count += 1
        self.drains.put_nowait(self.count)
        return 0

    async def next_due(self) -> datetime | None:
        return None

    async def start(self) -> None:
        self.listener.start()
        await asyncio.wait_for(self.notified.get(), GUARD)  # connected: the catch-up call
        self.loop.start()
        assert await asyncio.wait_for(self.drains.get(), GUARD) == 1
        await asyncio.wait_for(self.loop.asleep.wait(), GUARD)

    async def woken(self) -> int:
        return await asyncio.wait_for(self.drains.get(), GUARD)

    async def close(self) -> None:
        await asyncio.wait_for(self.loop.stop(), GUARD)
        await asyncio.wait_for(self.listener.close(), GUARD)


@pytest.fixture
async def listening(settings: Settings, sf: SessionFactory) -> AsyncIterator[Listening]:
    rig = Listening(settings)
    await rig.start()
    try:
        yield rig
    finally:
        await rig.close()


@pytest.mark.pg_only
async def test_a_notify_from_another_connection_wakes_the_sleeping_loop(
    listening: Listening, sf: SessionFactory
) -> None:
    async with sf.begin() as s:
        await s.execute(text("SELECT pg_notify(:channel, current_schema())"), {"channel": CHANNEL})
    assert await listening.woken() == 2


@pytest.mark.pg_only
async def test_scheduling_a_post_wakes_the_loop_when_it_commits(
    listening: Listening, sf: SessionFactory
) -> None:
    seeded = await seed(sf, 1, due_at=utcnow() + timedelta(hours=2))
    async with sf.begin() as s:
        revision = await s.get(Revision, seeded.revision_ids[0])
        weibo = await s.scalar(select(Account).where(Account.key == "ccmz_weibo"))
        assert revision is not None and weibo is not None
        made = await schedule(s, revision, [weibo])
        assert len(made) == 1
    assert await listening.woken() == 2  # PostgreSQL delivers the NOTIFY at commit


@pytest.mark.pg_only
async def test_the_listener_reconnects_after_its_connection_is_killed(
    listening: Listening, sf: SessionFactory
) -> None:
    pid = listening.listener.server_pid
    assert pid is not None
    async with sf.begin() as s:
        await s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    while listening.listener.server_pid in (None, pid):  # until reconnected (its catch-up call)
        await asyncio.wait_for(listening.notified.get(), GUARD)
    assert await listening.woken() == 2  # the catch-up poke
    async with sf.begin() as s:
        await s.execute(text("SELECT pg_notify(:channel, current_schema())"), {"channel": CHANNEL})
    assert await listening.woken() == 3


@pytest.mark.pg_only
async def test_another_schemas_notifications_are_ignored(
    listening: Listening, sf: SessionFactory
) -> None:
    """NOTIFY channels are database-wide; replicas share a schema, tests each have their own."""
    heard = listening.heard
    async with sf.begin() as s:  # delivered in this order, both to the one listener
        await s.execute(text("SELECT pg_notify(:channel, 'elsewhere')"), {"channel": CHANNEL})
        await s.execute(text("SELECT pg_notify(:channel, current_schema())"), {"channel": CHANNEL})
    await asyncio.wait_for(listening.notified.get(), GUARD)
    assert listening.heard == heard + 1


@pytest.mark.pg
async def test_the_service_runs_the_loop_where_ticks_run_and_stops_it(
    settings: Settings, sf: SessionFactory
) -> None:
    """No publish tick any more: the wake-up loop registered by ``create_app`` publishes."""
    opened = asyncio.Event()
    opened.set()
    channel = FakeChannel("ccmz_wechat", gate=opened)
    app = create_app(settings, channels={"ccmz_wechat": channel}, run_jobs=True)
    async with TestClient(TestServer(app)):
        await seed(sf, 1)  # due now, after the loop's first drain: found by its next round
        assert await asyncio.wait_for(channel.arrived.get(), GUARD) > 0
        loop = app[WAKEUP]
    assert loop._task is not None and loop._task.done()
    assert await statuses(sf) == ["published"]
