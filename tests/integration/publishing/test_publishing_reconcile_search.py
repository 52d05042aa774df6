"""Crash reconciliation searches the Weibo timeline back to the send time: a post that is live
but 120 statuses back is recorded published (not ``needs_check``), and one that a complete search
does not find is sent again by itself, once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from publishing_support import seed
from sqlalchemy import select, update

from channels.base import GoingPublic, Post, Receipt
from channels.sandbox.app import Sandbox, create_sandbox_app
from channels.sandbox.config import SandboxConfig
from channels.weibo.api import WeiboAPI
from channels.weibo.channel import WeiboChannel
from review.db import SessionFactory
from review.models import Notification, Publication, utcnow
from review.publishing.config import PostOptions, PublishingConfig
from review.publishing.publisher import Publisher
from review.publishing.reconciliation import reconcile_expired

ACCOUNT = "ccmz_weibo"
LINK = "https://mzj.example.gov.cn/art/2026/12/02/1.html"
CONFIG = PublishingConfig(max_attempts=4, lease_seconds=60)


@dataclass
class Rig:
    sandbox: Sandbox
    api: WeiboAPI
    channel: WeiboChannel

    def publisher(self, sf: SessionFactory, channel: Any = None) -> Publisher:
        options = {ACCOUNT: PostOptions(link_url=LINK)}
        return Publisher(sf, {ACCOUNT: channel or self.channel}, CONFIG, options=options)


@pytest.fixture
async def rig(aiohttp_server: Any) -> AsyncIterator[Rig]:
    app, sandbox = create_sandbox_app(SandboxConfig())
    server = await aiohttp_server(app)
    account = sandbox.config.weibo[0]
    api = WeiboAPI(
        ACCOUNT, account.access_token, rip="127.0.0.1", base_url=str(server.make_url("/weibo"))
    )
    yield Rig(sandbox, api, WeiboChannel(api, safe_domain=account.safe_domain))
    await api.close()


async def only_row(sf: SessionFactory) -> Publication:
    async with sf() as s:
        [row] = (await s.scalars(select(Publication))).all()
        return row


async def lease_runs_out(sf: SessionFactory) -> None:
    async with sf.begin() as s:
        await s.execute(update(Publication).values(lease_until=utcnow() - timedelta(seconds=1)))


async def timeline_texts(rig: Rig) -> list[str]:
    texts: list[str] = []
    for page in range(1, 10):
        got = (await rig.api.user_timeline(count=100, page=page)).get("statuses") or []
        if not got:
            return texts
        texts += [str(s["text"]) for s in got]
    return texts


@pytest.mark.pg
async def test_a_live_post_120_statuses_back_is_found_after_a_crash(
    sf: SessionFactory, rig: Rig
) -> None:
    await seed(sf, 1, accounts=(ACCOUNT,))
    dead = rig.publisher(sf)

    def die(_pid: int) -> None:
        raise RuntimeError("crash")  # the process dies after the platform took the post

    dead.after_call = die
    await dead.publish_due()
    assert (await only_row(sf)).status == "publishing"
    for i in range(120):  # another replica goes on publishing
        await rig.api.share(f"其他动态{i} {LINK}?n={i}")
    await lease_runs_out(sf)
    assert await reconcile_expired(rig.publisher(sf)) == 1
    row = await only_row(sf)
    assert (row.status, row.url) == ("published", f"https://m.weibo.cn/status/{row.remote_id}")
    texts = await timeline_texts(rig)
    assert len(texts) == 121 and f"p={row.idempotency_key}" in texts[-1]
    async with sf() as s:
        assert not (await s.scalars(select(Notification.kind))).all()


@dataclass
class Stuck:
    """A channel whose publish never reaches the platform: the process dies before the call."""

    inner: WeiboChannel
    arrived: asyncio.Event

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def publish(self, post: Post, *, going_public: GoingPublic) -> Receipt:
        await going_public()
        self.arrived.set()
        await asyncio.Event().wait()  # never answers; cancelled as the process dies
        raise AssertionError("unreachable")


@pytest.mark.pg
async def test_not_found_after_a_complete_search_is_sent_again_once(
    sf: SessionFactory, rig: Rig
) -> None:
    await seed(sf, 1, accounts=(ACCOUNT,))
    stuck = Stuck(rig.channel, asyncio.Event())
    dying = asyncio.ensure_future(rig.publisher(sf, stuck).publish_due())
    await asyncio.wait_for(stuck.arrived.wait(), 60)  # the row is marked sending, the call open
    await lease_runs_out(sf)
    survivor = rig.publisher(sf)
    assert await reconcile_expired(survivor) == 1
    row = await only_row(sf)
    assert row.status == "scheduled" and row.receipt_extra["searched_complete"] == "1"
    assert "确认未发出，自动重新发送" in (row.last_error or "")
    dying.cancel()
    await asyncio.gather(dying, return_exceptions=True)
    await survivor.publish_due()
    row = await only_row(sf)
    assert row.status == "published"
    assert len(await timeline_texts(rig)) == 1
    async with sf() as s:
        assert not (await s.scalars(select(Notification.kind))).all()
