"""The simulated follower against a loopback aiohttp endpoint built on OACallback + NonceGuard.

The endpoint here is the smallest honest wiring of the protocol code (the service's real route
adds the inbox insert); it shows the order: open_post → replay guard → reply.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from channels.callback_errors import CallbackError
from channels.sandbox.follower import Follower
from channels.wechat.callback import MemoryNonceGuard, OACallback, guard_replay

TOKEN, KEY, APPID = "sandboxtoken", "A" * 42 + "E", "wx_sandbox_app"
ServerFactory = Callable[[web.Application], Awaitable[TestServer]]


def make_app(callbacks: dict[str, OACallback]) -> tuple[web.Application, list[Any]]:
    guard, seen = MemoryNonceGuard(300), []

    async def handle(request: web.Request) -> web.Response:
        cb, now = callbacks[request.match_info["key"]], time.time()
        try:
            if request.method == "GET":
                q = request.query
                echo = cb.verify_get(q["signature"], q["timestamp"], q["nonce"], q["echostr"], now)
                return web.Response(text=echo)
            opened = cb.open_post(request.query, await request.read(), now, account_key="main")
            retry = await guard_replay(
                guard, "main", opened.nonce, opened.timestamp, opened.body_digest
            )
        except CallbackError as exc:
            return web.Response(status=exc.http_status, text=exc.message_zh)
        seen.append((opened, retry))
        if opened.message.msg_type == "event":
            return web.Response(body=cb.reply_empty())
        return web.Response(body=cb.reply_text(opened, f"已收到：{opened.message.text}", now))

    app = web.Application()
    app.router.add_route("*", "/wechat/{key}", handle)
    return app, seen


@pytest.fixture
async def server(aiohttp_server: ServerFactory) -> Any:
    app, seen = make_app(
        {"aes": OACallback(TOKEN, KEY, APPID), "plain": OACallback(TOKEN, None, APPID)}
    )
    srv = await aiohttp_server(app)
    yield str(srv.make_url("")), seen


@pytest.mark.parametrize("mode", ["plain", "compat", "aes"])
async def test_send_text_in_every_mode(server: Any, mode: str) -> None:
    base, seen = server
    key, aes = ("plain", None) if mode == "plain" else ("aes", KEY)
    reply = await Follower(base, key, TOKEN, aes, APPID, mode).send_text("低保怎么申请？")  # type: ignore[arg-type]
    assert reply.status == 200 and reply.text == "已收到：低保怎么申请？"
    assert reply.fields["ToUserName"] == "o_sandbox_citizen_1"
    assert seen[-1][0].encrypted is (mode != "plain")


async def test_same_request_three_times_is_a_retry_then_tampering_is_a_replay(server: Any) -> None:
    base, seen = server
    async with aiohttp.ClientSession() as session:
        follower = Follower(base, "aes", TOKEN, KEY, APPID, session=session)
        query, body = follower.build_request(follower.text_xml("同一条", msg_id=4242))
        replies = [await follower.post(query, body) for _ in range(3)]
        assert [r.text for r in replies] == ["已收到：同一条"] * 3
        assert [retry for _, retry in seen] == [False, True, True]
        assert {o.message.dedup_key for o, _ in seen} == {"4242"}
        _, other_body = follower.build_request(follower.text_xml("别的内容"))
        refused = await follower.post(query, other_body)
        assert refused.status == 403 and refused.text is None


async def test_events_get_success_and_carry_publish_results(server: Any) -> None:
    base, seen = server
    follower = Follower(base, "aes", TOKEN, KEY, APPID)
    reply = await follower.send_publish_finished(
        "2247483999", 0, article_id="A1", urls=("https://mp.weixin.qq.com/s/x",)
    )
    assert (reply.status, reply.text, reply.body) == (200, None, b"success")
    job = seen[-1][0].publish_job
    assert job.publish_id == "2247483999" and job.articles[0].url.endswith("/s/x")
    await follower.send_mass_finished("1000001625", total=3, sent=3)
    assert seen[-1][0].mass_send_job.sent_count == 3
    await follower.send_event("subscribe")
    assert seen[-1][0].message.event == "subscribe"


async def test_wrong_token_is_refused_and_the_reply_would_be_checked(server: Any) -> None:
    base, _ = server
    reply = await Follower(base, "aes", "wrong", KEY, APPID).send_text("hi")
    assert reply.status == 403 and reply.fields == {}
