"""One token refresher per account among replicas (bot/publishing/token_refresh.py), on SQLite
and PostgreSQL: two replicas run rounds on one database with one clock the test moves; only
the lease holder refreshes an account, a holder that stops is taken over once its lease ran
out, and a stop hands over at the next round."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot import keys
from bot.config.load import Settings
from bot.publishing.ticks import refresh_tokens
from bot.publishing.token_refresh import TokenRefresher
from bot.publishing.wiring import REFRESHER, TOKENS
from review.db import SessionFactory
from review.leases import LEASE_PERIODS
from review.store import leases

PERIOD = 60.0
KEYS = ("ccmz_wechat", "ccyl_wechat")

pytestmark = pytest.mark.pg


@dataclass
class Clock:
    now: datetime = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def round(self) -> None:
        self.now += timedelta(seconds=PERIOD)


@dataclass
class Api:
    """A WeChat client as the refresher sees it: every token is due; who called is logged."""

    replica: str
    key: str
    log: list[tuple[str, str]]

    async def refresh_before(self, horizon: datetime) -> bool:
        self.log.append((self.replica, self.key))
        return True


@dataclass
class Channel:
    api: object


@dataclass
class Tokens:
    forgotten: list[str] = field(default_factory=list)

    def forget(self, account_key: str) -> None:
        self.forgotten.append(account_key)


@dataclass
class Replica:
    refresher: TokenRefresher
    channels: dict[str, object]

    async def round(self) -> list[str]:
        return await self.refresher.run(self.channels)


def replica(sf: SessionFactory, name: str, clock: Clock, log: list[tuple[str, str]]) -> Replica:
    channels: dict[str, object] = {key: Channel(Api(name, key, log)) for key in KEYS}
    channels["ccmz_weibo"] = Channel(object())  # Weibo: no refreshable token, no lease
    refresher = TokenRefresher(
        sf, Tokens(), holder=name, period=PERIOD, ahead=timedelta(minutes=10), clock=clock
    )
    return Replica(refresher, channels)


async def test_only_the_holder_refreshes_and_a_dead_one_is_taken_over(sf: SessionFactory) -> None:
    clock, log = Clock(), []
    a, b = replica(sf, "a", clock, log), replica(sf, "b", clock, log)
    for _ in range(5):  # both replicas tick every round; a came first
        assert await a.round() == list(KEYS)
        assert await b.round() == []
        clock.round()
    assert log == [("a", k) for _ in range(5) for k in KEYS]
    assert a.refresher.held == set(KEYS) and b.refresher.held == set()

    log.clear()  # a dies: b keeps ticking, and waits for the lease to run out
    for _ in range(LEASE_PERIODS - 1):
        assert await b.round() == []
        clock.round()
    clock.now += timedelta(microseconds=1)
    assert await b.round() == list(KEYS)
    assert log == [("b", k) for k in KEYS]

    log.clear()  # a comes back (a restart under the same name would be a new name anyway)
    assert await a.round() == []
    assert a.refresher.held == set() and log == []
    async with sf() as s:
        stored = [await leases.current(s, f"token:{k}") for k in KEYS]
        assert {lease.holder for lease in stored if lease is not None} == {"b"}
        assert await leases.current(s, "token:ccmz_weibo") is None


async def test_a_stop_hands_the_accounts_over_at_the_next_round(sf: SessionFactory) -> None:
    clock, log = Clock(), []
    a, b = replica(sf, "a", clock, log), replica(sf, "b", clock, log)
    assert await a.round() == list(KEYS)
    await a.refresher.release()
    assert a.refresher.held == set()
    assert await b.round() == list(KEYS)  # the same moment: no waiting for the expiry
    assert await a.round() == []


async def test_each_check_reads_the_database_not_the_cache(sf: SessionFactory) -> None:
    """Another replica may have refreshed the token: the holder's check drops its cached copy."""
    clock, log = Clock(), []
    a = replica(sf, "a", clock, log)
    await a.round()
    assert isinstance(a.refresher.tokens, Tokens)
    assert a.refresher.tokens.forgotten == list(KEYS)


async def test_the_service_refreshes_under_its_publishers_name_and_a_stop_releases(
    settings: Settings, sf: SessionFactory
) -> None:
    """The wiring: the app's tick runs the refresher under the publisher's worker name against
    the (loopback) sandbox, and stopping the app gives the leases back."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import create_app

    app = create_app(settings, run_jobs=False)
    async with TestClient(TestServer(app)):
        await refresh_tokens(app)
        worker = app[keys.PUBLISHER].worker
        assert app[REFRESHER].held == set(KEYS)
        async with sf() as s:
            for key in KEYS:
                lease = await leases.current(s, f"token:{key}")
                assert lease is not None and lease.holder == worker
        for key in KEYS:  # the round fetched the tokens …
            assert await app[TOKENS].get(key) is not None
        fetched = app[keys.SANDBOX].recorder.count("cgi-bin/stable_token")
        assert fetched == len(KEYS)
        await refresh_tokens(app)  # … and the next round renews the leases, fetches nothing
        assert app[keys.SANDBOX].recorder.count("cgi-bin/stable_token") == fetched
    async with sf() as s:
        assert [await leases.current(s, f"token:{k}") for k in KEYS] == [None, None]
