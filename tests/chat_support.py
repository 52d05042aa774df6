"""Shared pieces of the chat tests: the service under test, reviewer phones, a submitted draft."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from queue_support import PASS, fake_gate
from sqlalchemy import select

from bot import keys
from bot.app import create_app
from bot.config.load import Settings
from bot.sandbox import wiring as sandbox_wiring
from channels.sandbox.app import Sandbox
from channels.sandbox.phone import ReviewerPhone
from channels.sandbox.wecom_api import WeComMessage
from review import drafts, queue
from review.db import SessionFactory
from review.models import ReviewTask
from review.store import directory

APP = "review_app"
ROOT_SETTINGS = Path(__file__).resolve().parents[1] / "settings.toml"


def fast(settings: Settings) -> Settings:
    """The shipped settings with the sandbox publishing at once."""
    sandbox = settings.file.sandbox.model_copy(update={"publish_delay_seconds": 0.0})
    return replace(settings, file=settings.file.model_copy(update={"sandbox": sandbox}))


@dataclass
class Service:
    client: TestClient
    settings: Settings
    sf: SessionFactory

    @property
    def app(self) -> web.Application:
        return self.client.server.app

    @property
    def sandbox(self) -> Sandbox:
        sandbox = self.app[keys.SANDBOX]
        assert isinstance(sandbox, Sandbox)
        return sandbox

    def phone(self, userid: str) -> ReviewerPhone:
        cfg, secrets = self.settings.wecom_apps[APP], self.settings.secrets[APP]
        base = str(self.client.make_url(""))
        return ReviewerPhone(
            base, APP, secrets.token, secrets.aes_key, cfg.corp_id, cfg.agent_id, userid,
            session=self.client.session,
        )  # fmt: skip

    def received(self, userid: str) -> list[WeComMessage]:
        corp = self.settings.wecom_apps[APP].corp_id
        return self.sandbox.wecom.messages_to(corp, userid)

    def texts(self, userid: str) -> list[str]:
        return [
            str(m.body.get("content", "")) for m in self.received(userid) if m.msgtype == "text"
        ]

    def cards(self, userid: str) -> list[WeComMessage]:
        return [m for m in self.received(userid) if m.msgtype == "template_card"]


async def start(settings: Settings, sf: SessionFactory) -> AsyncIterator[Service]:
    app = create_app(fast(settings), run_jobs=False)
    sandbox_wiring.mount(app)  # idempotent: the demo mounts it too once its route is registered
    async with TestClient(TestServer(app)) as client:
        yield Service(client, fast(settings), sf)


async def submitted(
    sf: SessionFactory,
    *,
    kind: str = "政策解读",
    title: str = "最低生活保障政策解读",
    publish_at: datetime | None = None,
    warn: dict[str, str] | None = None,
) -> tuple[int, int]:
    """A draft by 赵敏 submitted to review; returns (draft id, first task id)."""
    async with sf.begin() as s:
        editor = await directory.person_by_key(s, "zhao_min")
        assert editor is not None
        body = "市民政局解读最低生活保障政策：申请条件、办理流程和救助标准。"
        inp = drafts.DraftInput(title, body, ["ccmz_wechat"], kind=kind, publish_at=publish_at)
        draft_id = (await drafts.create(s, editor, inp))[0].id
    async with sf.begin() as s:
        editor = await directory.person_by_key(s, "zhao_min")
        assert editor is not None
        result = await queue.submit(
            s, draft_id, editor, gate=fake_gate(warn=warn) if warn else PASS
        )
        assert result.tasks, "the draft should be in review"
        return draft_id, result.tasks[0].id


async def open_task(sf: SessionFactory, draft_id: int) -> ReviewTask:
    """The draft's task that is waiting now (open or claimed)."""
    async with sf() as s:
        task = await s.scalar(
            select(ReviewTask)
            .where(ReviewTask.draft_id == draft_id, ReviewTask.status.in_(("open", "claimed")))
            .order_by(ReviewTask.id)
            .limit(1)
        )
    assert task is not None
    return task


async def wait_for(predicate: Callable[[], bool], within: float = 5.0) -> None:
    """Poll a condition that background work (a card update) makes true."""
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def say(service: Service, userid: str, text: str) -> str:
    """Send ``text`` from ``userid``'s phone; the bot's answer (a 200 with a reply is expected)."""
    reply = await service.phone(userid).send_text(text)
    assert reply.status == 200 and reply.text is not None, reply
    return reply.text
