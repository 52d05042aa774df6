"""``statuses/share`` publishes in one call: a failure without an answer stays ambiguous."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sandbox_env import Env

from channels.base import CallEffect, NotSent, Post, Transient
from channels.weibo.api import WeiboAPI
from channels.weibo.channel import WeiboChannel
from channels.weibo.endpoints import EFFECTS
from review.publishing.rules import is_ambiguous


def post() -> Post:
    return Post(
        publication_id=7,
        account_key="weibo-main",
        title="我市启动冬季困难群众走访慰问",
        body_markdown="市民政局部署开展走访慰问。",
        link_url="https://mzj.example.gov.cn/art/2026/11/28/1.html",
        idempotency_key="wb-eff-1",
    )


@pytest.fixture
async def held(env: Env) -> AsyncIterator[asyncio.Event]:
    """Holds back a ``hold`` fault's answer; set before the sandbox shuts down."""
    release = asyncio.Event()
    yield release
    release.set()


@pytest.fixture
async def impatient(env: Env) -> AsyncIterator[WeiboChannel]:
    account = env.sandbox.config.weibo[0]
    api = WeiboAPI(
        account.account_key,
        account.access_token,
        rip="127.0.0.1",
        base_url=env.url("weibo"),
        timeout=1.0,
    )
    yield WeiboChannel(api, safe_domain=account.safe_domain)
    await api.close()


@pytest.mark.parametrize("how", ["5xx", "timeout"])
async def test_a_failed_share_stays_ambiguous(
    env: Env, impatient: WeiboChannel, held: asyncio.Event, how: str
) -> None:
    if how == "5xx":
        env.sandbox.faults.fail_next("2/statuses/share.json", status=502)
    else:  # the status goes live; the answer arrives after the client gave up
        env.sandbox.faults.fail_next("2/statuses/share.json", hold=held)
    with pytest.raises(Transient) as info:
        await impatient.publish(post())
    assert not isinstance(info.value, NotSent) and is_ambiguous(info.value)
    held.set()
    live = env.sandbox.weibo.state("weibo-main").statuses
    assert len(live) == (0 if how == "5xx" else 1)  # why it must not be sent again blindly


def test_every_weibo_write_is_public() -> None:
    """Weibo has no private step like WeChat's draft box: nothing may be resent blindly."""
    assert EFFECTS["statuses/share.json"] is CallEffect.PUBLIC
    assert CallEffect.PRIVATE not in EFFECTS.values()
