"""Shared helpers for the inbox tests: the app under test and a follower that talks to it."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.config.load import Settings
from channels.sandbox.follower import Follower, Mode
from review.db import SessionFactory
from review.models import CitizenMessage

ACCOUNT = "ccmz_wechat"


def follower(
    client: TestClient,
    settings: Settings,
    *,
    mode: Mode = "aes",
    openid: str = "o_citizen_1",
    **kw: Any,
) -> Follower:
    secrets = settings.secrets[ACCOUNT]
    return Follower(
        str(client.make_url("")), ACCOUNT, secrets.token, secrets.aes_key,
        settings.accounts[ACCOUNT].app_id, mode, openid, session=client.session, **kw,
    )  # fmt: skip


async def count_messages(sf: SessionFactory) -> int:
    async with sf() as s:
        return int(await s.scalar(select(func.count()).select_from(CitizenMessage)) or 0)


async def wait_for(predicate: Any, limit_s: float = 10.0) -> None:
    """Poll an async predicate (the slow path runs after the reply)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + limit_s
    while not await predicate():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)
