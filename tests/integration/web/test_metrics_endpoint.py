"""``GET /metrics`` through the real app: counters move by exactly what happened, the database
gauges equal what the database holds, and only allowed addresses may read it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from inbox_support import ACCOUNT, follower
from prometheus_client.parser import text_string_to_metric_families
from publishing_support import FakeChannel, Rejected, Transient, seed
from sqlalchemy import func, select

from bot import keys
from bot.app import create_app
from bot.config.load import Settings
from bot.config.schema import MetricsSettings
from channels.base import Platform
from review.db import SessionFactory
from review.models import Account, CitizenMessage, Publication, utcnow

pytestmark = pytest.mark.pg


def tuned(settings: Settings, *, trusted: tuple[str, ...] = (), **metrics: Any) -> Settings:
    service = settings.file.service.model_copy(update={"trusted_proxies": trusted})
    file = settings.file.model_copy(
        update={"metrics": MetricsSettings(**{"cache_seconds": 0, **metrics}), "service": service}
    )
    return replace(settings, file=file)


async def scrape(client: TestClient[Any, Any]) -> dict[tuple[str, frozenset[Any]], float]:
    r = await client.get("/metrics")
    assert r.status == 200, await r.text()
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    out: dict[tuple[str, frozenset[Any]], float] = {}
    for family in text_string_to_metric_families(await r.text()):
        for s in family.samples:
            labels = {k: v for k, v in s.labels.items() if k != "worker"}
            key = (s.name, frozenset(labels.items()))
            out[key] = out.get(key, 0.0) + s.value
    return out


def value(page: dict[tuple[str, frozenset[Any]], float], name: str, **labels: str) -> float:
    return page.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
async def wechat() -> FakeChannel:
    return FakeChannel(ACCOUNT, platform=Platform.WECHAT)


@pytest.fixture
async def client(
    settings: Settings, sf: SessionFactory, wechat: FakeChannel
) -> AsyncIterator[TestClient[Any, Any]]:
    app = create_app(tuned(settings), channels={ACCOUNT: wechat}, run_jobs=False)
    async with TestClient(TestServer(app)) as c:
        yield c


def callbacks(page: dict[tuple[str, frozenset[Any]], float], result: str) -> float:
    return value(page, "newmedia_callbacks_total", platform="wechat", result=result)


async def test_callbacks_counted_by_result(
    client: TestClient[Any, Any], settings: Settings
) -> None:
    before = await scrape(client)
    f = follower(client, settings)
    query, body = f.build_request(f.text_xml("咨询低保申请", msg_id=880001))
    assert (await f.post(query, body)).status == 200
    assert (await f.post(query, body)).status == 200  # WeChat's retry: the same request
    forged = dict(query, msg_signature="0" * 40, signature="0" * 40)
    assert (await f.post(forged, body)).status == 403
    assert (await f.post(*f.build_request("<xml><oops"))).status == 400
    after = await scrape(client)
    moved = {
        result: callbacks(after, result) - callbacks(before, result)
        for result in ("accepted", "duplicate", "forged", "malformed", "replay", "unavailable")
    }
    assert moved == {
        "accepted": 1, "duplicate": 1, "forged": 1, "malformed": 1, "replay": 0,
        "unavailable": 0,
    }  # fmt: skip


async def test_publish_outcomes_and_database_gauges(
    client: TestClient[Any, Any], sf: SessionFactory, wechat: FakeChannel
) -> None:
    await seed(sf, 4)
    await seed(sf, 1, due_at=utcnow() + timedelta(days=1))
    wechat.failures += [
        Transient("网络超时"),  # may have gone out: checked before any resend
        Transient("系统繁忙", code=-1),  # the platform says it did nothing: retried
        Rejected("内容违规"),
    ]
    before = await scrape(client)
    assert await client.app[keys.PUBLISHER].publish_due() == 4
    after = await scrape(client)

    def outcome(page: dict[tuple[str, frozenset[Any]], float], name: str) -> float:
        return value(page, "newmedia_publish_outcomes_total", channel=ACCOUNT, outcome=name)

    moved = {o: outcome(after, o) - outcome(before, o) for o in ("published", "ambiguous", "retry",
             "failed", "needs_check")}  # fmt: skip
    assert moved == {"published": 1, "ambiguous": 1, "retry": 1, "failed": 1, "needs_check": 0}
    async with sf() as s:
        rows = await s.execute(
            select(Publication.status, func.count(), func.sum(Publication.attempts))
            .join(Account, Account.id == Publication.account_id)
            .where(Account.key == ACCOUNT)
            .group_by(Publication.status)
        )
        held = {status: (n, tries) for status, n, tries in rows.all()}
    assert held["published"][0] == 1 and held["scheduled"][0] == 3 and held["failed"][0] == 1
    for status, (n, _) in held.items():
        assert value(after, "newmedia_publications", channel=ACCOUNT, status=status) == n
    attempts = value(after, "newmedia_publication_attempts", channel=ACCOUNT)
    assert attempts == sum(tries for _, tries in held.values()) == 4
    # the sum over the rows can drop (a claim handed back): a gauge, never read as a counter
    page = await (await client.get("/metrics")).text()
    assert "# TYPE newmedia_publication_attempts gauge" in page
    assert value(after, "newmedia_database_up") == 1


async def test_overdue_messages_and_closing_windows(
    client: TestClient[Any, Any], sf: SessionFactory
) -> None:
    now = utcnow()
    async with sf.begin() as s:
        account = (await s.scalars(select(Account).where(Account.key == ACCOUNT))).one()

        def msg(key: str, status: str, **kw: Any) -> CitizenMessage:
            return CitizenMessage(
                account_id=account.id, platform="wechat", dedup_key=key, sender=f"o_{key}",
                msg_type="text", text="咨询", status=status, processed=True, **kw,
            )  # fmt: skip

        s.add_all([
            msg("late", "assigned", deadline_at=now - timedelta(hours=1)),
            msg("late_but_answered", "answered", deadline_at=now - timedelta(hours=1)),
            msg("on_time", "new", deadline_at=now + timedelta(days=2)),
            msg("closing", "new", reply_window_closes_at=now + timedelta(hours=2)),
            msg("closing_later", "new", reply_window_closes_at=now + timedelta(hours=10)),
            msg("closed_window", "assigned", reply_window_closes_at=now - timedelta(hours=1)),
        ])  # fmt: skip
    page = await scrape(client)
    assert value(page, "newmedia_citizen_messages_overdue") == 1
    assert value(page, "newmedia_reply_windows_closing") == 1


async def test_database_gauges_are_cached(settings: Settings, sf: SessionFactory) -> None:
    app = create_app(tuned(settings, cache_seconds=300), run_jobs=False)
    async with TestClient(TestServer(app)) as c:
        first = await scrape(c)
        await seed(sf, 1)
        again = await scrape(c)
    name = "newmedia_publications"
    assert value(first, name, channel=ACCOUNT, status="scheduled") == 0
    assert value(again, name, channel=ACCOUNT, status="scheduled") == 0  # the copy, not a read


async def test_pool_gauges_present(client: TestClient[Any, Any]) -> None:
    page = await scrape(client)
    assert value(page, "newmedia_db_pool_size") >= 1
    assert value(page, "newmedia_db_pool_checked_out") >= 0


@pytest.mark.parametrize(
    ("trusted", "allow", "forwarded", "status"),
    [
        ((), ("10.9.9.9",), None, 403),  # the peer (127.0.0.1) is not allowed
        ((), ("127.0.0.1",), "127.0.0.1", 200),
        ((), ("10.1.2.3",), "10.1.2.3", 403),  # an untrusted peer's X-Forwarded-For: ignored
        (("127.0.0.1",), ("127.0.0.1", "::1"), "203.0.113.5", 403),  # a public client via nginx
        (("127.0.0.1",), ("10.0.0.0/8",), "10.1.2.3", 200),  # Prometheus via nginx
        (("127.0.0.1",), ("10.0.0.0/8",), "10.1.2.3, 203.0.113.5", 403),  # the nearest hop counts
    ],
)
async def test_only_allowed_addresses(
    settings: Settings,
    sf: SessionFactory,
    trusted: tuple[str, ...],
    allow: tuple[str, ...],
    forwarded: str | None,
    status: int,
) -> None:
    app = create_app(tuned(settings, trusted=trusted, allow_from=allow), run_jobs=False)
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    async with TestClient(TestServer(app)) as c:
        r = await c.get("/metrics", headers=headers)
        assert r.status == status
        if status == 403:
            assert "无权读取监控指标" in await r.text() and "newmedia_" not in await r.text()


async def test_disabled_is_not_served(settings: Settings, sf: SessionFactory) -> None:
    app = create_app(tuned(settings, enabled=False), run_jobs=False)
    async with TestClient(TestServer(app)) as c:
        assert (await c.get("/metrics")).status == 404
