"""``/wecom/{app_key}``: the reviewers' WeCom app callback.

GET answers the encrypted echostr at once (WeCom allows 1 s). POST verifies and decrypts, turns a
typed text or a card button into a command, runs it through the router and answers with an
encrypted passive reply when that is quick; slower work replies empty and pushes the answer
through ``message/send``. Nothing here ever answers 500: WeCom would retry and the reviewer
would see an error.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

from aiohttp import web

from bot import keys
from bot.chat.backend import DbChat
from bot.chat.commands import registry
from bot.chat.router import ChatAnswer, ChatInput, Router
from bot.chat.staff import staff_handler
from bot.chat.wecom_apps import WECOM, WeComRuntime, build, runtime
from bot.inbox.inbound import STAFF_COMMAND_HANDLER
from bot.metrics.registry import METRICS, REFUSED, install
from channels.callback_errors import CallbackError
from channels.replay import dedup_key
from channels.wecom.callback import OpenedWeCom, card_click_to_command

log = logging.getLogger("newmedia.wecom.callback")

CHAT_ROUTER = web.AppKey("chat_router", Router)
#: answer passively if the command finishes within this; WeCom gives up after 5 s
QUICK_SECONDS = 3.5
NOT_TEXT = "请发送文字命令，发送「帮助」查看全部命令。"
STALE_BUTTON = "这个按钮已失效，请发送文字命令，如「通过 12」。"
CARD_DONE = {"通过": "已通过", "驳回": "已驳回", "退回": "已退回", "认领": "已认领"}


def setup(app: web.Application) -> None:
    install(app)
    app[WECOM] = build(app)
    app.cleanup_ctx.append(_router_ctx)
    app.router.add_get("/wecom/{app_key}", verify)
    app.router.add_post("/wecom/{app_key}", receive)


async def _router_ctx(app: web.Application) -> AsyncIterator[None]:
    """The chat router over the shared services (they exist once the resources are up)."""
    backend = DbChat(app[keys.SERVICES])
    app[CHAT_ROUTER] = Router(registry(), backend, backend)
    app[STAFF_COMMAND_HANDLER] = staff_handler(app[CHAT_ROUTER])
    yield


def _text(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/plain")


async def verify(request: web.Request) -> web.Response:
    rt = runtime(request.app, request.match_info["app_key"])
    if rt is None:
        return _text(404, "未知的企业微信应用")
    q = request.query
    try:
        plain = rt.callback.verify_get(
            q.get("msg_signature", ""),
            q.get("timestamp", ""),
            q.get("nonce", ""),
            q.get("echostr", ""),
            time.time(),
        )
    except CallbackError as exc:
        log.info("wecom url verification refused on %s: %s", rt.key, exc.log_reason)
        return _text(exc.http_status, exc.message_zh)
    return _text(200, plain)


async def receive(request: web.Request) -> web.Response:
    try:
        return await _receive(request)
    except ConnectionError:
        raise  # the client went away mid-body: one warning line from bot.server, no traceback
    except Exception:
        log.exception("wecom callback failed on %s", request.match_info.get("app_key"))
        return web.Response(body=b"")


def _chat_input(rt: WeComRuntime, opened: OpenedWeCom) -> ChatInput | str | None:
    """The command to run, a reply for what is not a command, or None (say nothing)."""
    msg = opened.message
    if opened.card_click is not None:
        click = opened.card_click
        text = card_click_to_command(click.button_key)
        if text is None:
            return STALE_BUTTON
        key = dedup_key("wecom", rt.key, "card", click.task_id, click.button_key, msg.sender)
        return ChatInput("wecom", msg.sender, text, key)
    if msg.msg_type == "text":
        # the sender is part of the key: a MsgId seen from another person is never "a retry"
        # a long key keeps a hash of its tail (never cut: the sender must stay in it)
        key = dedup_key("wecom", rt.key, msg.sender, msg.dedup_key)
        return ChatInput("wecom", msg.sender, msg.text, key)
    if msg.msg_type == "event":
        return None  # enter_agent and the like: nothing to answer
    return NOT_TEXT


async def _receive(request: web.Request) -> web.Response:
    app = request.app
    count = app[METRICS].callback
    rt = runtime(app, request.match_info["app_key"])
    if rt is None:
        count("wecom", "unknown")
        return _text(404, "未知的企业微信应用")
    limit = rt.callback.max_body
    if request.content_length is not None and request.content_length > limit:
        count("wecom", "too_large")
        return _text(413, "请求体过大")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        count("wecom", "too_large")
        return _text(413, "请求体过大")
    try:
        opened = rt.callback.open_post(request.query, body, time.time())
    except CallbackError as exc:
        log.info("wecom callback refused on %s: %s", rt.key, exc.log_reason)
        count("wecom", REFUSED[exc.kind])
        return _text(exc.http_status, exc.message_zh)
    chat = _chat_input(rt, opened)
    count("wecom", "ignored" if chat is None else "accepted")
    if chat is None:
        return web.Response(body=b"")
    if isinstance(chat, str):
        return _reply(rt, opened, chat)
    task = app[keys.SERVICES].spawn(app[CHAT_ROUTER].handle(chat))
    done, _ = await asyncio.wait({task}, timeout=QUICK_SECONDS)
    if not done:
        log.info("wecom command slower than %.1f s: answering through message/send", QUICK_SECONDS)
        _later(app, rt, opened, task)
        return web.Response(body=b"")
    answer = task.result()
    _after_card(app, rt, opened, answer)
    return _reply(rt, opened, answer.text)


def _reply(rt: WeComRuntime, opened: OpenedWeCom, text: str) -> web.Response:
    body = rt.callback.reply_text(opened, text, time.time())
    return web.Response(body=body, content_type="text/xml")


def _later(
    app: web.Application,
    rt: WeComRuntime,
    opened: OpenedWeCom,
    task: asyncio.Task[ChatAnswer],
) -> None:
    async def push() -> None:
        answer = await task
        _after_card(app, rt, opened, answer)
        if rt.api is not None:
            await rt.api.send_text([opened.sender], answer.text)

    app[keys.SERVICES].spawn(push())


def _after_card(
    app: web.Application, rt: WeComRuntime, opened: OpenedWeCom, answer: ChatAnswer
) -> None:
    """A decided card greys out its buttons ("已通过"); a refused click leaves them."""
    click = opened.card_click
    if click is None or rt.api is None or not click.response_code or answer.outcome != "ok":
        return
    label = CARD_DONE.get(answer.command or "", "已处理")
    api = rt.api

    async def update() -> None:
        try:
            await api.update_card_buttons([opened.sender], click.response_code, label)
        except Exception as exc:  # the answer already went out; a stale card is cosmetic
            log.warning("wecom card update failed: %s", type(exc).__name__)

    app[keys.SERVICES].spawn(update())
