"""The WeChat statistics (datacube) through the adapter against the sandbox: the platform's
paths, fields and span limits (articles one day per call, followers seven), sums over sources."""

from __future__ import annotations

import zlib
from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from sandbox_env import Env, MakeEnv

from channels.base import CallEffect, Rejected
from channels.sandbox.wechat_state import Article, Published
from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI
from channels.wechat.datacube import WeChatDatacube, spans
from channels.wechat.endpoints import EFFECTS
from review.timefmt import SHANGHAI

#: the sandbox's "now": 10 March 2026, noon in Beijing (yesterday = 9 March)
NOW = datetime(2026, 3, 10, 12, tzinfo=SHANGHAI).timestamp()


@pytest.fixture
async def env(make_env: MakeEnv) -> Env:
    env = await make_env(clock=lambda: NOW)
    state = env.sandbox.wechat.state("wechat-main")
    published = datetime(2026, 3, 5, 10, tzinfo=SHANGHAI).timestamp()
    article = Article(1, "今冬救助工作安排", "", "", "", "", "", "https://mp.example/s/1")
    state.timeline.append(Published("a1", [article], published, "freepublish", "j1", "2247"))
    return env


@pytest.fixture
async def cube(env: Env) -> WeChatDatacube:
    account = env.sandbox.config.wechat[0]
    api = WeChatAPI(
        account.account_key, account.appid, account.secret, tokens=MemoryTokenStore(),
        base_url=env.url("wechat"), timeout=2.0, clock=lambda: datetime.fromtimestamp(NOW, SHANGHAI),
    )  # fmt: skip
    yield WeChatDatacube(api)
    await api.close()


def test_spans_cut_a_range_into_pieces() -> None:
    d = date(2026, 3, 1)
    assert list(spans(d, d + timedelta(days=8), 7)) == [
        (d, d + timedelta(days=6)), (d + timedelta(days=7), d + timedelta(days=8)),
    ]  # fmt: skip
    assert list(spans(d, d - timedelta(days=1), 7)) == []


def test_statistics_are_reads() -> None:
    assert {EFFECTS[e] for e in EFFECTS if e.startswith("datacube/")} == {CallEffect.READ}


async def test_article_reads_and_shares_day_by_day(env: Env, cube: WeChatDatacube) -> None:
    days = await cube.articles(date(2026, 3, 4), date(2026, 3, 7))
    base = 100 + zlib.crc32(b"2247_1") % 400  # the sandbox's figures: fewer reads each day
    assert [(d.day.day, d.msgid, d.reads, d.shares) for d in days] == [
        (5, "2247_1", base, base // 10),
        (6, "2247_1", base // 2, base // 2 // 10),
        (7, "2247_1", base // 3, base // 3 // 10),
    ]
    assert days[0].title == "今冬救助工作安排"
    calls = env.sandbox.recorder.find(endpoint="datacube/getarticlesummary")
    assert [(c.params["begin_date"], c.params["end_date"]) for c in calls] == [
        (f"2026-03-0{d}", f"2026-03-0{d}") for d in (4, 5, 6, 7)
    ]


async def test_followers_summed_over_sources_and_consistent(env: Env, cube: WeChatDatacube) -> None:
    days = await cube.followers(date(2026, 3, 1), date(2026, 3, 9))
    assert [d.day for d in days] == [date(2026, 3, 1) + timedelta(days=i) for i in range(9)]
    for before, after in pairwise(days):
        assert after.cumulate - before.cumulate == after.new - after.cancel
    assert len(env.sandbox.recorder.find(endpoint="datacube/getusersummary")) == 2
    assert len(env.sandbox.recorder.find(endpoint="datacube/getusercumulate")) == 2


async def test_the_platform_refuses_long_spans_and_today(cube: WeChatDatacube) -> None:
    with pytest.raises(Rejected) as too_long:
        await cube.api.call("datacube/getusersummary",
                            {"begin_date": "2026-03-01", "end_date": "2026-03-08"})  # fmt: skip
    assert too_long.value.code == 61501 and "统计日期范围" in str(too_long.value)
    with pytest.raises(Rejected) as today:
        await cube.api.call("datacube/getusercumulate",
                            {"begin_date": "2026-03-10", "end_date": "2026-03-10"})  # fmt: skip
    assert today.value.code == 61501
    with pytest.raises(Rejected) as bad:
        await cube.api.call("datacube/getarticlesummary", {"begin_date": "x", "end_date": "y"})
    assert bad.value.code == 61500
    with pytest.raises(Rejected, match="最多查询 7 天"):
        await cube._list("datacube/getusersummary", date(2026, 3, 1), date(2026, 3, 9))
