"""One outage, one WeCom message per account: late posts recorded by the real publisher, then
filed and delivered by the real notification tick to the sandbox WeCom."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from chat_support import Service, start
from publishing_support import FakeChannel, seed
from sqlalchemy import select

from bot import keys
from bot.chat.ticks import deliver_notifications
from review.db import SessionFactory
from review.models import Notification, utcnow
from review.publishing import alert_gathering
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher

FAST = PublishingConfig(backoff_base_seconds=0.01, backoff_cap_seconds=0.05, lease_seconds=10)
#: the people of the owner department (office) who get publishing alerts by WeCom
OFFICE = ("LiNa", "WangQiang", "ZhaoMin", "MaJun")


@pytest.fixture
async def service(settings, sf) -> AsyncIterator[Service]:  # type: ignore[no-untyped-def]
    async for svc in start(settings, sf):
        yield svc


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


async def publish(sf: SessionFactory, clock: Clock, *keys_: str) -> None:
    channels = {k: FakeChannel(k) for k in keys_}
    await Publisher(sf, channels, FAST, clock=clock).publish_due()  # type: ignore[arg-type]


def alerts(service: Service) -> list[str]:
    return [t for t in service.texts("LiNa") if t.startswith("【账号发布异常】")]


async def tick(service: Service, clock: Clock) -> None:
    service.app[keys.SERVICES].clock = clock
    await deliver_notifications(service.app)


async def episodes(sf: SessionFactory) -> list[Notification]:
    async with sf() as s:
        q = select(Notification).where(Notification.kind == "publication_episode")
        return list((await s.scalars(q.order_by(Notification.id))).all())


@pytest.mark.pg
async def test_sixty_late_posts_are_one_message_listing_them(service: Service) -> None:
    clock = Clock()
    await seed(service.sf, 60, due_at=clock.now - timedelta(minutes=30))
    await publish(service.sf, clock, "ccmz_wechat")
    clock.now += timedelta(minutes=1)
    await tick(service, clock)
    await tick(service, clock)  # a repeat of the tick announces nothing more
    for userid in OFFICE:
        texts = [t for t in service.texts(userid) if "发布" in t]
        assert len(texts) == 1, userid
    [text] = alerts(service)
    assert "账号「长春民政」（ccmz_wechat）" in text and "延迟发布 60 篇：#" in text
    assert "「民政动态1」" in text and "等 60 篇" in text
    async with service.sf() as s:
        states = (await s.scalars(select(Notification.status))).all()
    assert sorted(set(states)) == ["grouped", "sent"] and states.count("grouped") == 60


@pytest.mark.pg
async def test_two_accounts_are_two_messages(service: Service) -> None:
    clock = Clock()
    await seed(
        service.sf,
        40,
        accounts=("ccmz_wechat", "ccmz_weibo"),
        due_at=clock.now - timedelta(hours=1),
    )
    await publish(service.sf, clock, "ccmz_wechat", "ccmz_weibo")
    clock.now += timedelta(minutes=1)
    await tick(service, clock)
    texts = alerts(service)
    assert len(texts) == 2
    assert sum("（ccmz_wechat）" in t for t in texts) == sum("（ccmz_weibo）" in t for t in texts)
    assert all("延迟发布 20 篇" in t for t in texts)


@pytest.mark.pg
async def test_a_new_outage_after_recovery_alerts_again_the_same_one_does_not(
    service: Service,
) -> None:
    clock = Clock()
    await seed(service.sf, 3, due_at=clock.now - timedelta(minutes=30))
    await publish(service.sf, clock, "ccmz_wechat")
    clock.now += timedelta(minutes=1)
    await tick(service, clock)
    # the same outage: one more late post two minutes on is filed under it, not announced
    await seed(service.sf, 1, due_at=clock.now - timedelta(minutes=30))
    clock.now += timedelta(minutes=1)
    await publish(service.sf, clock, "ccmz_wechat")
    clock.now += timedelta(minutes=1)
    await tick(service, clock)
    assert len(alerts(service)) == 1
    # recovery: a post out on time; then a new outage twenty minutes later
    clock.now += timedelta(minutes=10)
    await seed(service.sf, 1, due_at=clock.now)
    await publish(service.sf, clock, "ccmz_wechat")
    clock.now += timedelta(minutes=10)
    await seed(service.sf, 2, due_at=clock.now - timedelta(minutes=15))
    await publish(service.sf, clock, "ccmz_wechat")
    clock.now += timedelta(minutes=1)
    await tick(service, clock)
    texts = alerts(service)
    assert len(texts) == 2 and "延迟发布 2 篇" in texts[1]
    assert [n.dedup_key for n in await episodes(service.sf)] == [
        "publication_episode:ccmz_wechat:1",
        "publication_episode:ccmz_wechat:2",
    ]


@pytest.mark.pg
async def test_two_replicas_deciding_from_the_same_read_open_one_episode(
    service: Service,
) -> None:
    """Replica B reads (plans) before replica A writes; B's stale plan then writes nothing new."""
    clock = Clock()
    await seed(service.sf, 10, due_at=clock.now - timedelta(minutes=30))
    await publish(service.sf, clock, "ccmz_wechat")
    clock.now += timedelta(minutes=1)
    async with service.sf.begin() as s:
        stale = await alert_gathering.plan(s, clock.now)
    assert await alert_gathering.gather(service.sf, clock.now) == 10  # replica A
    async with service.sf.begin() as s:
        assert await alert_gathering.write(s, stale, clock.now) == 0  # replica B
    [episode] = await episodes(service.sf)
    assert len(episode.payload["publication_ids"]) == 10
