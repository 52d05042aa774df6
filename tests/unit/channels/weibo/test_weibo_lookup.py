"""A Weibo lookup by key walks the timeline back to the send time, bounded, and says what it
searched: a post 137 statuses back is found; a search cut by the page bound says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sandbox_env import Env, MakeEnv

from channels.base import Absence, Post, ReceiptState
from channels.weibo.api import WeiboAPI
from channels.weibo.channel import WeiboChannel

LINK = "https://mzj.example.gov.cn/art/2026/12/02/1.html"
T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


class SandboxClock:
    """The sandbox's clock, set by the test: each status is stamped when the test says."""

    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> float:
        return self.at.timestamp()


def post(key: str, sent_after: datetime | None) -> Post:
    return Post(
        publication_id=7,
        account_key="weibo-main",
        title=f"冬季救助工作安排{key}",
        body_markdown="市民政局部署开展走访慰问。",
        link_url=LINK,
        idempotency_key=key,
        sent_after=sent_after,
    )


@pytest.fixture
async def clock() -> SandboxClock:
    return SandboxClock()


@pytest.fixture
async def timeline(make_env: MakeEnv, clock: SandboxClock) -> Env:
    return await make_env(clock=clock)


@pytest.fixture
async def api(timeline: Env) -> WeiboAPI:
    account = timeline.sandbox.config.weibo[0]
    api = WeiboAPI(
        account.account_key, account.access_token, rip="127.0.0.1", base_url=timeline.url("weibo")
    )
    yield api  # type: ignore[misc]
    await api.close()


def channel(api: WeiboAPI, pages: int = 10) -> WeiboChannel:
    return WeiboChannel(api, safe_domain="mzj.example.gov.cn", timeline_pages=pages)


async def ours_then(api: WeiboAPI, clock: SandboxClock, later: int) -> Post:
    """Our post shared at T0, then ``later`` other statuses, one a minute after it."""
    ours = post("crash-137", T0 - timedelta(seconds=30))
    await channel(api).publish(ours)
    for i in range(1, later + 1):
        clock.at = T0 + timedelta(minutes=i)
        await api.share(f"第{i}条动态 {LINK}?n={i}")
    return ours


def timeline_calls(env: Env) -> int:
    return env.sandbox.recorder.count("2/statuses/user_timeline.json")


async def test_a_post_137_statuses_back_is_found(
    timeline: Env, api: WeiboAPI, clock: SandboxClock
) -> None:
    ours = await ours_then(api, clock, 136)
    found = await channel(api).check(ours, None)
    assert found.state is ReceiptState.PUBLISHED and found.remote_id
    assert timeline_calls(timeline) == 2  # 100 a page: #137 is on the second


async def test_a_search_cut_by_the_page_bound_says_it_is_incomplete(
    timeline: Env, api: WeiboAPI, clock: SandboxClock
) -> None:
    await ours_then(api, clock, 136)
    missing = await channel(api, pages=1).check(post("never", T0), None)
    assert missing.state is ReceiptState.UNKNOWN and missing.search is not None
    s = missing.search
    assert (s.complete, s.items, s.pages, s.since) == (False, 100, 1, T0)
    assert s.back_to == T0 + timedelta(minutes=37)  # the oldest of the newest 100
    assert s.absence is Absence.NOT_PUBLISHED


async def test_the_search_stops_once_past_the_send_time(
    timeline: Env, api: WeiboAPI, clock: SandboxClock
) -> None:
    await ours_then(api, clock, 136)
    since = T0 + timedelta(minutes=120)
    missing = await channel(api).check(post("never", since), None)
    assert missing.search is not None
    assert (missing.search.complete, missing.search.items, missing.search.pages) == (True, 100, 1)
    assert timeline_calls(timeline) == 1


async def test_without_a_send_time_only_the_end_of_the_timeline_completes_it(
    timeline: Env, api: WeiboAPI, clock: SandboxClock
) -> None:
    await ours_then(api, clock, 136)
    missing = await channel(api).check(post("never", None), None)
    assert missing.search is not None
    # a short page is not taken as the end (Weibo may filter some out): the empty one is
    assert (missing.search.complete, missing.search.items, missing.search.pages) == (True, 137, 3)
    assert missing.search.back_to == T0
