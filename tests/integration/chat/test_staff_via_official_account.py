"""Staff whitelisted as OA followers: a slow command still answers inside WeChat's 5 s, and the
real answer follows as a customer-service message."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from inbox_support import follower

from bot import keys
from bot.config.load import Settings
from bot.inbox import callback as routes_wechat
from channels.base import GoingPublic, MessagePage, Platform, Post, Receipt


class RecordingChannel:
    platform = Platform.WECHAT
    account_key = "ccmz_wechat"

    def __init__(self) -> None:
        self.replies: list[tuple[str, str]] = []

    async def reply(self, to: str, text: str, *, ref: str | None = None) -> None:
        self.replies.append((to, text))

    async def publish(self, post: Post, *, going_public: GoingPublic) -> Receipt:
        raise AssertionError("not used")

    async def check(self, post: Post, receipt: Receipt | None) -> Receipt:
        raise AssertionError("not used")

    async def retract(self, remote_id: str, *, index: int = 1) -> None:
        raise AssertionError("not used")

    async def fetch_messages(self, since: str | None) -> MessagePage:
        raise AssertionError("not used")


@pytest.mark.filterwarnings("ignore:Changing state of started:DeprecationWarning")
async def test_slow_staff_command_answers_in_time_then_pushes(
    app_client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes_wechat, "STAFF_BUDGET_S", 0.2)
    channel = RecordingChannel()
    app_client.app[keys.CHANNELS]["ccmz_wechat"] = channel

    async def slow_handler(account: str, person: str, text: str, *, msg_key: str) -> Any:
        await asyncio.sleep(0.5)
        return f"{person} 的命令「{text}」已完成"

    app_client.app[routes_wechat.STAFF_COMMAND_HANDLER] = slow_handler
    staff = follower(app_client, settings, openid="o_staff_li_na")  # 李娜's whitelisted openid
    reply = await staff.send_text("待审")
    assert reply.status == 200 and reply.text == routes_wechat.STAFF_PENDING
    for _ in range(50):
        if channel.replies:
            break
        await asyncio.sleep(0.05)
    assert channel.replies == [("o_staff_li_na", "li_na 的命令「待审」已完成")]
