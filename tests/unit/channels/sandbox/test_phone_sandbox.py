"""The simulated reviewer phone against a loopback endpoint built on WeComCallback."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from channels.callback_errors import CallbackError
from channels.sandbox.callback_wire import ReplyError, unwrap_reply
from channels.sandbox.phone import ReviewerPhone
from channels.wecom.callback import WeComCallback, card_click_to_command

TOKEN, KEY, CORP, AGENT = "wecomtoken", "C" * 42 + "E", "ww_sandbox", 1000002
ServerFactory = Callable[[web.Application], Awaitable[TestServer]]


@pytest.fixture
async def server(aiohttp_server: ServerFactory) -> Any:
    cb, seen = WeComCallback(TOKEN, KEY, CORP, AGENT, account_key="review"), []

    async def handle(request: web.Request) -> web.Response:
        q, now = request.query, time.time()
        try:
            if request.method == "GET":
                echo = cb.verify_get(
                    q["msg_signature"], q["timestamp"], q["nonce"], q["echostr"], now
                )
                return web.Response(text=echo)
            opened = cb.open_post(q, await request.read(), now)
        except CallbackError as exc:
            return web.Response(status=exc.http_status, text=exc.message_zh)
        seen.append(opened)
        click = opened.card_click
        command = card_click_to_command(click.button_key) if click else opened.text
        return web.Response(body=cb.reply_text(opened, f"收到命令：{command}", now))

    app = web.Application()
    app.router.add_route("*", "/wecom/{key}", handle)
    srv = await aiohttp_server(app)
    yield str(srv.make_url("")), seen


def phone(base: str, **kw: Any) -> ReviewerPhone:
    args = {"token": TOKEN, "aes_key": KEY, "corp_id": CORP, "agent_id": AGENT, **kw}
    return ReviewerPhone(base, "review", userid="lisi", **args)


async def test_verify_url(server: Any) -> None:
    base, _ = server
    assert await phone(base).verify_url() is True
    assert await phone(base, token="wrong").verify_url() is False


async def test_text_command_round_trip(server: Any) -> None:
    base, seen = server
    reply = await phone(base).send_text("驳回 12 标题有错别字")
    assert reply.status == 200 and reply.text == "收到命令：驳回 12 标题有错别字"
    assert seen[-1].sender == "lisi" and seen[-1].message.account_key == "review"


async def test_card_click_round_trip(server: Any) -> None:
    base, seen = server
    reply = await phone(base).click("reject:12", "draft-12-v3")
    assert reply.text == "收到命令：驳回 12 （卡片按钮）"
    assert seen[-1].card_click.task_id == "draft-12-v3"


async def test_other_agent_is_refused(server: Any) -> None:
    base, _ = server
    reply = await phone(base, agent_id=1000009).send_text("通过 1")
    assert reply.status == 403


def test_phone_rejects_a_reply_with_a_forged_signature() -> None:
    p = ReviewerPhone("http://x", "review", TOKEN, KEY, CORP, AGENT, "lisi")
    cb = WeComCallback(TOKEN, KEY, CORP, AGENT)
    opened = cb.open_post(*p.build_request(p.text_xml("hi")), time.time())
    raw = cb.reply_text(opened, "ok", time.time())
    forged = raw.replace(b"<MsgSignature><![CDATA[", b"<MsgSignature><![CDATA[0")
    with pytest.raises(ReplyError):
        unwrap_reply(forged, TOKEN, p._cipher)
