"""``/wechat/{account_key}``: the Official Account callback, answered well inside WeChat's 5 s.

Fast path only: verify and decrypt (``OACallback.open_post``), then one grouped commit remembers
the nonce and inserts the message under its unique key, then the passive reply is derived from
the stored row — so a retry or a concurrent duplicate stores nothing twice and gets the same
answer. Classification, notifications and publication events are slow work done afterwards by
``bot.inbox.ticks`` from the committed rows (a crash there loses nothing).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable
from dataclasses import asdict

from aiohttp import web

from bot import keys
from bot.inbox.inbound import INBOUND, STAFF_COMMAND_HANDLER, Endpoint, build_inbound
from bot.inbox.wiring import inbound_ctx
from bot.inbox.writer import ReplayRefused, WriterUnavailable
from bot.metrics.registry import METRICS, REFUSED, install
from channels.wechat.callback import CallbackError, OpenedCallback
from review.replies_fast import new_row, passive_text

log = logging.getLogger("newmedia.wechat.callback")


def _text(status: int, message: str) -> web.Response:
    return web.Response(status=status, text=message, content_type="text/plain", charset="utf-8")


async def verify(request: web.Request) -> web.Response:
    endpoint = request.app[INBOUND].endpoints.get(request.match_info["account_key"])
    if endpoint is None:
        return _text(404, "未知的公众号")
    q = request.query
    try:
        echo = endpoint.callback.verify_get(
            q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", ""),
            q.get("echostr", ""), time.time(),
        )  # fmt: skip
    except CallbackError as exc:
        log.info("callback GET refused on %s: %s", endpoint.account_key, exc.log_reason)
        return _text(exc.http_status, exc.message_zh)
    return _text(200, echo)


async def receive(request: web.Request) -> web.Response:
    inbound = request.app[INBOUND]
    count = request.app[METRICS].callback
    endpoint = inbound.endpoints.get(request.match_info["account_key"])
    if endpoint is None:
        count("wechat", "unknown")
        return _text(404, "未知的公众号")
    limit = endpoint.callback.max_body
    if request.content_length is not None and request.content_length > limit:
        count("wechat", "too_large")
        return _text(413, "请求体过大")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        count("wechat", "too_large")
        return _text(413, "请求体过大")
    now = time.time()
    try:
        opened = endpoint.callback.open_post(request.query, body, now)
    except CallbackError as exc:
        log.info("callback refused on %s: %s", endpoint.account_key, exc.log_reason)
        count("wechat", REFUSED[exc.kind])
        return _text(exc.http_status, exc.message_zh)
    writer = inbound.writer
    if writer is None or endpoint.account_id == 0:
        count("wechat", "unavailable")
        return _text(503, "服务正在启动，请稍后再试")
    digest = hashlib.sha256(f"{opened.timestamp}:{opened.body_digest}".encode()).hexdigest()
    msg = opened.message
    person_key = inbound.staff.get(msg.sender)
    handler = request.app.get(STAFF_COMMAND_HANDLER)
    try:
        if person_key and handler is not None and msg.msg_type == "text":
            await writer.submit(endpoint.account_key, opened.nonce, digest, None)
            count("wechat", "accepted")
            answer: str | None = await _staff_answer(
                request.app,
                endpoint.account_key,
                msg.sender,
                handler(endpoint.account_key, person_key, msg.text, msg_key=msg.dedup_key),
            )
        else:
            keywords = inbound.keywords
            received = request.app[keys.SERVICES].clock()  # the services' clock: tests fake it
            row = new_row(msg, endpoint.account_id, received, inbound.policy, keywords)
            if opened.publish_job is not None:
                row["text"] = json.dumps(asdict(opened.publish_job), ensure_ascii=False)
            elif opened.mass_send_job is not None:
                row["text"] = json.dumps(asdict(opened.mass_send_job), ensure_ascii=False)
            stored = await writer.submit(endpoint.account_key, opened.nonce, digest, row)
            assert stored is not None
            # another request's row (a retry, a concurrent copy) was received at another moment
            count("wechat", "accepted" if stored.received_at == received else "duplicate")
            answer = passive_text(
                stored, endpoint.account_name, keywords, inbound.scope, inbound.policy
            )
    except ReplayRefused:
        log.warning("callback replay refused on %s", endpoint.account_key)
        count("wechat", "replay")
        return _text(403, "重复的请求")
    except WriterUnavailable:
        count("wechat", "unavailable")
        return _text(503, "服务暂时繁忙，请稍后再试")
    return _reply(endpoint, opened, answer, now)


STAFF_BUDGET_S = 3.5
STAFF_PENDING = "命令已收到，正在处理；结果稍后以客服消息发给您。"


async def _staff_answer(
    app: web.Application, account_key: str, openid: str, work: Awaitable[str]
) -> str:
    """A command that calls a platform may outlast WeChat's 5 s: answer "processing" in time
    and send the real answer as a customer-service message when it is ready."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.wait_for(asyncio.shield(task), timeout=STAFF_BUDGET_S)
    except TimeoutError:
        app[keys.SERVICES].spawn(_push_when_done(app, account_key, openid, task))
        return STAFF_PENDING


async def _push_when_done(
    app: web.Application, account_key: str, openid: str, task: asyncio.Future[str]
) -> None:
    try:
        text = await task
        channel = app[keys.CHANNELS].get(account_key)
        if channel is not None:
            await channel.reply(openid, text)
    except Exception as exc:  # logged without the text or the openid
        log.warning("late staff answer on %s not delivered: %s", account_key, type(exc).__name__)


def _reply(
    endpoint: Endpoint, opened: OpenedCallback, answer: str | None, now: float
) -> web.Response:
    if not answer:
        return web.Response(body=endpoint.callback.reply_empty(), content_type="text/plain")
    body = endpoint.callback.reply_text(opened, answer, now)
    return web.Response(body=body, content_type="application/xml", charset="utf-8")


def setup(app: web.Application) -> None:
    install(app)
    app[INBOUND] = build_inbound(app[keys.SETTINGS])
    app.cleanup_ctx.append(inbound_ctx)
    app.router.add_get("/wechat/{account_key}", verify)
    app.router.add_post("/wechat/{account_key}", receive)
