"""A failed WeChat ``draft/add`` publishes nothing: the engine sends the post again by itself and
it goes out exactly once, with nothing left for a person (no ``needs_check``, no alert)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from publishing_support import seed
from sandbox_env import PNG
from sqlalchemy import select

from channels.sandbox.app import Sandbox, create_sandbox_app
from channels.sandbox.config import SandboxConfig
from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI
from channels.wechat.channel import WeChatChannel
from review.db import SessionFactory
from review.media import MediaPolicy
from review.media_files import publish_loader
from review.media_renditions import THUMB
from review.models import Notification, Publication, utcnow
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher
from review.publishing.reconciliation import poll_pending

ACCOUNT = "ccmz_wechat"
CONFIG = PublishingConfig(max_attempts=4, lease_seconds=60)


class Clock:
    """The engine's clock, moved by the test: backoff passes without waiting for it."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Rig:
    sandbox: Sandbox
    publisher: Publisher
    clock: Clock
    #: holds back the answer of a ``hold`` fault until set
    held: asyncio.Event


@pytest.fixture
async def rig(sf: SessionFactory, aiohttp_server: Any, tmp_path: Path) -> AsyncIterator[Rig]:
    # publish_delay 0: freepublish/get answers the outcome as soon as it is asked
    app, sandbox = create_sandbox_app(replace(SandboxConfig(), publish_delay=0.0))
    server = await aiohttp_server(app)
    (tmp_path / "cover.png").write_bytes(PNG)
    account = sandbox.config.wechat[0]
    api = WeChatAPI(
        ACCOUNT,
        account.appid,
        account.secret,
        tokens=MemoryTokenStore(),
        base_url=str(server.make_url("/wechat")),
        timeout=1.0,  # only a held answer takes that long
    )
    loader = publish_loader(MediaPolicy(tmp_path, 10 * 2**20), profile=THUMB)
    channel = WeChatChannel(api, load_image=loader)
    clock = Clock()
    held = asyncio.Event()
    yield Rig(sandbox, Publisher(sf, {ACCOUNT: channel}, CONFIG, clock=clock), clock, held)
    held.set()  # before the sandbox server shuts down
    await api.close()


async def rows(sf: SessionFactory) -> list[Publication]:
    async with sf() as s:
        return list((await s.scalars(select(Publication))).all())


async def notified(sf: SessionFactory) -> list[str]:
    async with sf() as s:
        return list((await s.scalars(select(Notification.kind))).all())


FAULTS: dict[str, Callable[[Rig], None]] = {
    # the platform refused: no draft was saved
    "5xx": lambda rig: rig.sandbox.faults.fail_next("cgi-bin/draft/add", status=502),
    # the platform saved the draft, the answer came too late: an orphan draft stays behind
    "timeout": lambda rig: rig.sandbox.faults.fail_next("cgi-bin/draft/add", hold=rig.held),
}


@pytest.mark.pg
@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_a_failed_draft_add_is_sent_again_and_published_once(
    sf: SessionFactory, rig: Rig, fault: str
) -> None:
    due = rig.clock.now
    await seed(sf, 1, accounts=(ACCOUNT,), due_at=due, title="养老服务补贴", cover_path="cover.png")
    FAULTS[fault](rig)

    assert await rig.publisher.publish_due() == 1
    rig.held.set()
    [row] = await rows(sf)
    assert (row.status, row.attempts) == ("scheduled", 1)
    assert "ambiguous" not in (row.receipt_extra or {})
    assert rig.sandbox.recorder.count("cgi-bin/freepublish/submit") == 0

    rig.clock.advance(CONFIG.backoff_cap_seconds)  # past any backoff
    assert await rig.publisher.publish_due() == 1
    [row] = await rows(sf)
    assert (row.status, row.attempts) == ("pending", 2)
    assert await poll_pending(rig.publisher) == 1

    [row] = await rows(sf)
    assert row.status == "published" and row.remote_id
    state = rig.sandbox.wechat.state(rig.sandbox.config.wechat[0].account_key)
    assert [p.articles[0].title for p in state.timeline] == ["养老服务补贴1"]
    assert rig.sandbox.recorder.count("cgi-bin/freepublish/submit") == 1
    assert rig.sandbox.recorder.count("cgi-bin/freepublish/batchget") == 0  # nothing to look for
    assert len(state.drafts) == (2 if fault == "timeout" else 1)
    assert "publication_needs_check" not in await notified(sf)
