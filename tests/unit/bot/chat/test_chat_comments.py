"""「评论」: 精选, 取消精选 and 删除 of an article comment through the chat router (fake backend)."""

from __future__ import annotations

import itertools

import pytest
from fake_chat_backend import OFFICE, SECRECY, FakeChat

from bot.chat.commands import registry
from bot.chat.router import ChatInput, Router

_keys = itertools.count(1)


@pytest.fixture
def fake() -> FakeChat:
    chat = FakeChat()
    chat.messages[35] = OFFICE
    chat.messages[36] = SECRECY
    return chat


async def say(fake: FakeChat, who: str, text: str) -> tuple[str, str]:
    router = Router(registry(), fake, fake)
    answer = await router.handle(ChatInput("wecom", who, text, f"c{next(_keys)}"))
    return answer.outcome, answer.text


async def test_each_action_reaches_the_service(fake: FakeChat) -> None:
    assert (await say(fake, "LiNa", "评论 #35 精选"))[0] == "ok"
    assert (await say(fake, "LiNa", "/comment 35 取消精选"))[0] == "ok"
    assert (await say(fake, "LiNa", "评论 #35 删除 含辱骂内容"))[0] == "ok"
    assert fake.calls == [("comment_elect", 35), ("comment_unelect", 35), ("comment_delete", 35)]


async def test_an_unknown_action_is_explained_and_nothing_is_done(fake: FakeChat) -> None:
    _outcome, text = await say(fake, "LiNa", "评论 #35 置顶")
    assert "操作须为「精选」「取消精选」或「删除」" in text and fake.calls == []


async def test_another_departments_comment_is_refused(fake: FakeChat) -> None:
    outcome, _text = await say(fake, "LiNa", "评论 #36 删除 辱骂")
    assert outcome == "denied" and fake.calls == []
