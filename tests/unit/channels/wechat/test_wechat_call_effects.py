"""Each WeChat call classified on its own: a failed draft, upload or token is ``NotSent`` (safe to
send again), a failed ``freepublish/submit`` may have been carried out (ambiguous)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sandbox_env import Env

from channels.base import NotSent, Post, ReceiptState, Transient
from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI
from channels.wechat.channel import WeChatChannel
from review.media import MediaPolicy
from review.media_files import publish_loader
from review.media_renditions import THUMB
from review.publishing.rules import is_ambiguous

BODY = "本市今冬救助工作有序开展。\n\n![图表](chart.png)\n"


def post(key: str = "eff-1") -> Post:
    return Post(
        publication_id=1,
        account_key="wechat-main",
        title="冬季救助工作安排",
        body_markdown=BODY,
        cover_path="cover.png",
        link_url="https://mzj.example.gov.cn/art/1.html",
        idempotency_key=key,
    )


@pytest.fixture
async def held(env: Env) -> AsyncIterator[asyncio.Event]:
    """Holds back the answer of a ``hold`` fault until set; set at the latest before the
    sandbox shuts down (this fixture depends on ``env``, so it is torn down first)."""
    release = asyncio.Event()
    yield release
    release.set()


@pytest.fixture
async def impatient(env: Env, media: Path) -> AsyncIterator[WeChatChannel]:
    """A channel whose client gives up after 1 s: only a held answer takes that long."""
    account = env.sandbox.config.wechat[0]
    api = WeChatAPI(
        account.account_key,
        account.appid,
        account.secret,
        tokens=MemoryTokenStore(),
        base_url=env.url("wechat"),
        timeout=1.0,
    )
    policy = MediaPolicy(media, 10 * 2**20)
    cover = publish_loader(policy, profile=THUMB)
    yield WeChatChannel(api, load_image=publish_loader(policy), load_cover=cover)
    await api.close()


def fail(env: Env, endpoint: str, how: str, held: asyncio.Event) -> None:
    if how == "5xx":
        env.sandbox.faults.fail_next(endpoint, status=502)
    else:  # the platform does the work, the answer comes after the client gave up
        env.sandbox.faults.fail_next(endpoint, hold=held)


@pytest.mark.parametrize("how", ["5xx", "timeout"])
@pytest.mark.parametrize(
    "endpoint",
    [
        "cgi-bin/draft/add",
        "cgi-bin/material/add_material",  # the cover
        "cgi-bin/media/uploadimg",  # an image in the article
        "cgi-bin/stable_token",
    ],
)
async def test_a_failed_call_that_publishes_nothing_is_not_sent(
    env: Env, impatient: WeChatChannel, held: asyncio.Event, endpoint: str, how: str
) -> None:
    fail(env, endpoint, how, held)
    with pytest.raises(NotSent) as info:
        await impatient.publish(post())
    held.set()
    assert not is_ambiguous(info.value)
    assert info.value.code == ("http 502" if how == "5xx" else "timeout")
    assert env.sandbox.recorder.count("cgi-bin/freepublish/submit") == 0
    # sent again as the engine would: one post, nothing public happened the first time
    receipt = await impatient.publish(post())
    assert receipt.state is ReceiptState.PENDING
    assert env.sandbox.recorder.count("cgi-bin/freepublish/submit") == 1


async def test_a_retried_draft_whose_answer_was_lost_leaves_one_orphan_draft(
    env: Env, impatient: WeChatChannel, held: asyncio.Event
) -> None:
    """Accepted (channels/wechat/endpoints.py): the orphan is private and never published."""
    fail(env, "cgi-bin/draft/add", "timeout", held)
    with pytest.raises(NotSent):
        await impatient.publish(post())
    held.set()
    await impatient.publish(post())
    state = env.sandbox.wechat.state("wechat-main")
    assert len(state.drafts) == 2 and len(state.jobs) == 1


@pytest.mark.parametrize("how", ["5xx", "timeout"])
async def test_a_failed_freepublish_submit_stays_ambiguous(
    env: Env, impatient: WeChatChannel, held: asyncio.Event, how: str
) -> None:
    fail(env, "cgi-bin/freepublish/submit", how, held)
    with pytest.raises(Transient) as info:
        await impatient.publish(post())
    assert not isinstance(info.value, NotSent) and is_ambiguous(info.value)


async def _drop_every_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    await reader.read(1)  # the request has started to arrive: drop it unanswered
    writer.close()


@pytest.fixture
async def dropping_api() -> AsyncIterator[WeChatAPI]:
    """A server that accepts each request and hangs up without an answer; a token is stored
    already, so each call is exactly the endpoint under test."""
    server = await asyncio.start_server(_drop_every_connection, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    tokens = MemoryTokenStore()
    await tokens.put("wechat-main", "stored-token", datetime.now(UTC) + timedelta(hours=1))
    api = WeChatAPI(
        "wechat-main", "wx1", "s", tokens=tokens, base_url=f"http://127.0.0.1:{port}", timeout=5
    )
    yield api
    await api.close()
    server.close()
    await server.wait_closed()


async def test_a_broken_connection_is_classified_by_the_endpoint(dropping_api: WeChatAPI) -> None:
    with pytest.raises(NotSent) as draft:
        await dropping_api.add_draft([{"title": "t"}])
    assert draft.value.code == "network"
    with pytest.raises(NotSent):
        await dropping_api.add_thumb("cover.png", b"png", "image/png")
    with pytest.raises(Transient) as submit:
        await dropping_api.submit("draft-1")
    assert not isinstance(submit.value, NotSent) and is_ambiguous(submit.value)
