"""The daily statistics pull: sandbox datacube → WeChat adapter → database, stored once however
often it runs (the platform's latest figures overwrite), and read back by the annual report."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.platforms.stats import pull_stats
from channels.sandbox.app import create_sandbox_app
from channels.sandbox.config import SandboxConfig
from channels.sandbox.wechat_state import Article, Published
from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI
from channels.wechat.channel import WeChatChannel
from review.db import SessionFactory
from review.models import WeChatArticleStat, WeChatFollowerStat
from review.store import annual_report
from review.timefmt import SHANGHAI

#: on SQLite and PostgreSQL (upserts and the report's queries differ by dialect)
pytestmark = pytest.mark.pg

NOW = datetime(2026, 3, 10, 12, tzinfo=SHANGHAI)


@pytest.fixture
async def channel(aiohttp_server: Any) -> AsyncIterator[WeChatChannel]:
    app, sandbox = create_sandbox_app(SandboxConfig(clock=NOW.timestamp))
    server = await aiohttp_server(app)
    state = sandbox.wechat.state("wechat-main")
    article = Article(1, "今冬救助工作安排", "", "", "", "", "", "https://mp.example/s/1")
    at = datetime(2026, 3, 8, 10, tzinfo=SHANGHAI).timestamp()
    state.timeline.append(Published("a1", [article], at, "freepublish", "j1", "2247"))
    account = sandbox.config.wechat[0]
    api = WeChatAPI(
        account.account_key, account.appid, account.secret, tokens=MemoryTokenStore(),
        base_url=str(server.make_url("/wechat")), clock=lambda: NOW,
    )  # fmt: skip
    yield WeChatChannel(api)
    await api.close()


async def test_pull_stores_once_and_the_report_reads_it(
    sf: SessionFactory, channel: WeChatChannel
) -> None:
    channels = {"ccmz_wechat": channel, "ccmz_weibo": object()}
    first = await pull_stats(sf, channels, days=3, clock=lambda: NOW)
    assert (first.first, first.last) == (date(2026, 3, 7), date(2026, 3, 9))
    assert first.failed == {} and first.followers == {"ccmz_wechat": 3}
    assert first.articles == {"ccmz_wechat": 2}  # read on 8 and 9 March
    again = await pull_stats(sf, channels, days=3, account="ccmz_wechat", clock=lambda: NOW)
    assert again.articles == first.articles
    async with sf() as session:
        assert await session.scalar(select(func.count()).select_from(WeChatArticleStat)) == 2
        assert await session.scalar(select(func.count()).select_from(WeChatFollowerStat)) == 3
        articles, followers = await annual_report.wechat_figures(session, 2026)
    base = 100 + zlib.crc32(b"2247_1") % 400
    [article] = articles
    assert (article.title, article.reads) == ("今冬救助工作安排", base + base // 2)
    assert article.shares == base // 10 + base // 2 // 10
    assert [f.day for f in followers] == [date(2026, 3, d) for d in (7, 8, 9)]


async def test_a_refused_account_is_reported_and_stores_nothing(
    sf: SessionFactory, channel: WeChatChannel
) -> None:
    # our clock ahead of the platform's: "yesterday" is not over there yet (61501)
    ahead = NOW.replace(day=12)
    result = await pull_stats(sf, {"ccmz_wechat": channel}, days=3, clock=lambda: ahead)
    assert list(result.failed) == ["ccmz_wechat"] and "统计日期范围" in result.failed["ccmz_wechat"]
    async with sf() as session:
        assert await session.scalar(select(func.count()).select_from(WeChatArticleStat)) == 0
        assert await session.scalar(select(func.count()).select_from(WeChatFollowerStat)) == 0
