"""1,000 distinct messages, each delivered 3 times in shuffled order by 8 concurrent senders:
exactly 1,000 stored, every request answered 200, duplicates answered alike; events without
MsgId delivered 3 times store one row each. How fast the answers are is measured by
``bench/bench_callback.py`` (p50/p99 against a baseline), never asserted here: a shared machine
makes any wall-clock bound either loose enough to mean nothing or flaky."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from inbox_support import count_messages, follower

from bot.app import create_app
from bot.config.load import Settings
from review.db import SessionFactory


@pytest.fixture
async def client(settings: Settings, sf: SessionFactory) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(settings, run_jobs=False))) as c:
        yield c


@pytest.mark.pg
async def test_thousand_messages_three_times_eight_senders(
    client: TestClient, settings: Settings, sf: SessionFactory
) -> None:
    f = follower(client, settings)
    base = int(time.time()) * 1000
    requests = [
        f.build_request(f.text_xml(f"留言{i}：养老院咨询", msg_id=base + i)) for i in range(1000)
    ]
    deliveries = [r for r in requests for _ in range(3)]
    random.Random(5).shuffle(deliveries)
    answers: dict[bytes, set[str | None]] = {}
    queue = iter(deliveries)

    async def sender() -> None:
        for query, body in queue:
            reply = await f.post(query, body)
            assert reply.status == 200
            answers.setdefault(body, set()).add(reply.text)

    await asyncio.gather(*(sender() for _ in range(8)))
    assert await count_messages(sf) == 1000
    assert all(len(texts) == 1 for texts in answers.values())  # retries answered alike


async def test_events_delivered_three_times_one_row_each(
    client: TestClient, settings: Settings, sf: SessionFactory
) -> None:
    requests = []
    for i in range(50):
        f = follower(client, settings, openid=f"o_evt_{i}")
        requests.append(
            f.build_request(f.event_xml("subscribe" if i % 2 else "CLICK", EventKey=f"k{i}"))
        )
    deliveries = [r for r in requests for _ in range(3)]
    random.Random(7).shuffle(deliveries)
    f = follower(client, settings)
    replies = await asyncio.gather(*(f.post(q, b) for q, b in deliveries))
    assert {r.status for r in replies} == {200}
    assert await count_messages(sf) == 50


async def test_slow_downstream_still_answers_and_routes_later(
    client: TestClient, settings: Settings, sf: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Classification made slow (0.2 s per message, blocking): every callback is answered 200 and
    routing completes later. (That answers stay fast meanwhile is a latency claim: the bench's,
    not a wall-clock assertion here.)"""
    from bot.inbox import ticks as ticks_inbox

    def slow_classify(text: str) -> object:
        time.sleep(0.2)  # blocks only the slow path's own steps; the loop yields between them
        from review.routing import classify

        return classify(text)

    monkeypatch.setattr(ticks_inbox, "classify", slow_classify)
    f = follower(client, settings)
    for i in range(5):
        assert (await f.send_text(f"低保咨询{i}")).status == 200
    from inbox_support import wait_for
    from sqlalchemy import func, select

    from review.models import CitizenMessage

    async def all_routed() -> bool:
        async with sf() as s:
            n = await s.scalar(select(func.count()).where(CitizenMessage.processed.is_(True)))
            return n == 5

    await wait_for(all_routed, limit_s=20)
