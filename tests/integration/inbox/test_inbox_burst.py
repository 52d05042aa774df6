"""Routing under a burst of callbacks: it waits while the writer is committing (but not beyond
``MAX_DEFER_S``), and once the burst is over the whole backlog is routed in large batches — a hot
message sent last reaches its department's head within seconds, not minutes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from inbox_support import follower, wait_for
from sqlalchemy import func, select

from bot.app import create_app
from bot.config.load import Settings
from bot.inbox import ticks as ticks_inbox
from bot.inbox.inbound import INBOUND
from review.db import SessionFactory
from review.models import CitizenMessage, Notification

HOT = "养老院突发火情，老人们被困在楼里，请马上派人"


@pytest.fixture
async def client(settings: Settings, sf: SessionFactory) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(settings, run_jobs=False))) as c:
        yield c


@pytest.mark.pg
async def test_backlog_routed_and_head_told_soon_after_burst(
    client: TestClient, settings: Settings, sf: SessionFactory
) -> None:
    f = follower(client, settings)
    texts = [f"低保金这个月没有到账，请帮忙查一下（{i}）" for i in range(400)] + [HOT]
    gate = asyncio.Semaphore(16)

    async def send(text: str) -> int:
        async with gate:
            return (await f.send_text(text)).status

    statuses = await asyncio.gather(*(send(t) for t in texts))
    assert set(statuses) == {200}
    loop = asyncio.get_running_loop()
    burst_over = loop.time()

    async def all_routed() -> bool:
        async with sf() as s:
            left = await s.scalar(select(func.count()).where(CitizenMessage.processed.is_(False)))
            return left == 0

    await wait_for(all_routed, limit_s=30)
    caught_up_s = loop.time() - burst_over
    async with sf() as s:
        msg = await s.scalar(select(CitizenMessage).where(CitizenMessage.text == HOT))
        hot = list(
            (await s.scalars(select(Notification).where(Notification.kind == "message_hot"))).all()
        )
    assert msg is not None and msg.hot and msg.status == "assigned"
    assert [n.subject for n in hot] == [f"message:{msg.id}"] and hot[0].person_id is not None
    assert caught_up_s < 10, f"backlog of {len(texts)} routed in {caught_up_s:.1f} s"


async def test_routing_waits_for_a_pause_but_not_forever(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = client.server.app
    writer = app[INBOUND].writer
    assert writer is not None
    monkeypatch.setattr(ticks_inbox, "MAX_DEFER_S", 0.5)
    loop = asyncio.get_running_loop()

    async def streaming(seconds: float) -> None:
        """Callbacks being committed, as the writer's ``busy`` sees them."""
        until = loop.time() + seconds
        while loop.time() < until:
            writer.last_commit_at = loop.time()
            await asyncio.sleep(0.02)

    burst = asyncio.create_task(streaming(3))
    await asyncio.sleep(0.05)  # the burst is under way
    t0 = loop.time()
    assert await ticks_inbox.batch_when_quiet(app) == ticks_inbox.BURST_BATCH
    assert 0.5 <= loop.time() - t0 < 2.0  # a long burst: one small batch after the bound
    burst.cancel()
    await asyncio.sleep(0.2)

    burst = asyncio.create_task(streaming(0.3))
    await asyncio.sleep(0.05)
    t0 = loop.time()
    assert await ticks_inbox.batch_when_quiet(app) == ticks_inbox.QUIET_BATCH
    assert loop.time() - t0 >= 0.2  # a short burst: waited for its end (not the bound)
    await burst
