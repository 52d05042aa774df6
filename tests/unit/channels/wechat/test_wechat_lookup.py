"""A WeChat lookup by key pages ``freepublish/batchget`` back to the send time (each item's
``update_time``), bounded, and says what it searched; a mass send is looked up by its key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sandbox_env import Env, MakeEnv

from channels.base import Absence, Post, ReceiptState
from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI
from channels.wechat.channel import WeChatChannel
from review.media import MediaPolicy
from review.media_files import publish_loader
from review.media_renditions import THUMB

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


class SandboxClock:
    """The sandbox's clock, set by the test: each article is stamped when the test says."""

    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> float:
        return self.at.timestamp()


def post(key: str, sent_after: datetime | None, **changes: object) -> Post:
    fields: dict[str, object] = {
        "publication_id": 1,
        "account_key": "wechat-main",
        "title": "关于做好冬季困难群众救助工作的通知",
        "body_markdown": "详见附件。",
        "cover_path": "cover.png",
        "link_url": "https://mzj.example.gov.cn/art/1.html",
        "idempotency_key": key,
        "sent_after": sent_after,
    }
    fields.update(changes)
    return Post(**fields)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> SandboxClock:
    return SandboxClock()


@pytest.fixture
async def articles(make_env: MakeEnv, clock: SandboxClock) -> Env:
    return await make_env(clock=clock, publish_delay=0.0)


@pytest.fixture
async def api(articles: Env) -> WeChatAPI:
    account = articles.sandbox.config.wechat[0]
    api = WeChatAPI(
        account.account_key,
        account.appid,
        account.secret,
        tokens=MemoryTokenStore(),
        base_url=articles.url("wechat"),
    )
    yield api  # type: ignore[misc]
    await api.close()


def channel(api: WeChatAPI, media: Path, pages: int = 10, now: datetime = T0) -> WeChatChannel:
    loader = publish_loader(MediaPolicy(media, 10 * 2**20), profile=THUMB)
    return WeChatChannel(api, load_image=loader, reconcile_pages=pages, clock=lambda: now)


async def ours_then(api: WeChatAPI, media: Path, clock: SandboxClock, later: int) -> Post:
    """Our article published at T0, then ``later`` others, one a minute after it."""
    wechat = channel(api, media)
    ours = post("crash-25", T0 - timedelta(seconds=30))
    for i in range(later + 1):
        clock.at = T0 + timedelta(minutes=i)
        p = ours if i == 0 else post(f"other-{i}", None)
        receipt = await wechat.publish(p)
        assert (await wechat.check(p, receipt)).state is ReceiptState.PUBLISHED
    return ours


def batchget_calls(env: Env) -> int:
    return env.sandbox.recorder.count("cgi-bin/freepublish/batchget")


async def test_a_post_25_articles_back_is_found(
    articles: Env, api: WeChatAPI, media: Path, clock: SandboxClock
) -> None:
    ours = await ours_then(api, media, clock, 24)
    found = await channel(api, media).check(ours, None)
    assert found.state is ReceiptState.PUBLISHED and found.extra["reconciled"] == "1"
    assert batchget_calls(articles) == 2


async def test_a_search_cut_by_the_page_bound_says_it_is_incomplete(
    articles: Env, api: WeChatAPI, media: Path, clock: SandboxClock
) -> None:
    await ours_then(api, media, clock, 24)
    missing = await channel(api, media, pages=1).check(post("never", T0), None)
    assert missing.state is ReceiptState.UNKNOWN and missing.search is not None
    s = missing.search
    assert (s.complete, s.items, s.pages, s.since) == (False, 20, 1, T0)
    assert s.back_to == T0 + timedelta(minutes=5)  # the oldest of the newest 20
    assert s.absence is Absence.MAY_BE_PROCESSING


async def test_the_search_stops_once_past_the_send_time(
    articles: Env, api: WeChatAPI, media: Path, clock: SandboxClock
) -> None:
    await ours_then(api, media, clock, 24)
    before = batchget_calls(articles)
    missing = await channel(api, media).check(post("never", T0 + timedelta(minutes=20)), None)
    assert missing.search is not None
    assert (missing.search.complete, missing.search.items, missing.search.pages) == (True, 20, 1)
    assert batchget_calls(articles) == before + 1
    ended = await channel(api, media).check(post("never", None), None)
    assert ended.search is not None  # without a send time, the short last page ends it
    assert (ended.search.complete, ended.search.items, ended.search.pages) == (True, 25, 2)


async def test_a_mass_send_is_looked_up_by_its_key_not_the_article_list(
    articles: Env, api: WeChatAPI, media: Path
) -> None:
    now = T0 + timedelta(hours=30)
    wechat = channel(api, media, now=now)
    recent = await wechat.check(post("m", now - timedelta(hours=2), push_to_followers=True), None)
    assert recent.search is not None and recent.search.absence is Absence.IDEMPOTENT
    assert recent.search.complete  # the platform still keys the send: a resend is harmless
    old = await wechat.check(post("m", T0, push_to_followers=True), None)
    assert old.search is not None and not old.search.complete  # past the 24 hours
    assert batchget_calls(articles) == 0
