"""``/wechat/{account_key}``: the Official Account callback, answered well inside WeChat's 5 s.

Fast path only: verify and decrypt (``OACallback.open_post``), then one grouped commit remembers
the nonce and inserts the message under its unique key, then the passive reply is derived from
the stored row — so a retry or a concurrent duplicate stores nothing twice and gets the same
answer. Classification, notifications and publication events are slow work done afterwards by
``bot.ticks_inbox`` from the committed rows (a crash there loses nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import asdict, dataclass, field
from typing import Protocol

from aiohttp import web

from bot import keys
from bot.app import spawn
from bot.inbox_writer import InboxWriter, ReplayRefused, WriterUnavailable
from bot.settings_load import Settings
from bot.workers import worker_of
from channels.wechat.callback import CallbackError, OACallback, OpenedCallback
from review.keyword_answers import KeywordAnswers, KeywordAnswersFile
from review.models import utcnow
from review.quick_scope import QuickScope, default_quick_scope
from review.replies_fast import InboxPolicy, new_row, passive_text
from review.routing import classify
from review.store.directory import all_accounts
from review.store.inbox_batch import open_batch_store
from review.workdays import parse_dates

log = logging.getLogger("newmedia.wechat.callback")


class StaffCommandHandler(Protocol):
    """Set by the chat area: a whitelisted staff follower's text becomes a chat command.
    Returns the text of the passive reply. ``msg_key`` (MsgId) lets it ignore retries."""

    def __call__(
        self, account_key: str, person_key: str, text: str, *, msg_key: str
    ) -> Awaitable[str]: ...


STAFF_COMMAND_HANDLER = web.AppKey("staff_command_handler", StaffCommandHandler)


@dataclass
class Endpoint:
    account_key: str
    account_name: str
    callback: OACallback
    account_id: int = 0


@dataclass
class Inbound:
    """Everything the callback needs, built once at start-up."""

    endpoints: dict[str, Endpoint]
    policy: InboxPolicy
    answers: KeywordAnswersFile
    scope: QuickScope
    staff: dict[str, str]  # openid → person key (from settings)
    kick: asyncio.Event = field(default_factory=asyncio.Event)
    writer: InboxWriter | None = None

    @property
    def keywords(self) -> KeywordAnswers:
        """The 办事指南 answers as the file says now (edits apply within seconds)."""
        return self.answers.current()


INBOUND = web.AppKey("wechat_inbound", Inbound)


def policy_from(settings: Settings) -> InboxPolicy:
    inbox, cal = settings.file.inbox, settings.file.calendar
    return InboxPolicy(
        default_days=inbox.default_deadline_days,
        topic_days=dict(inbox.topic_deadline_days),
        reminder_hours=inbox.reminder_hours_before,
        extra_holidays=parse_dates(cal.extra_holidays),
        extra_workdays=parse_dates(cal.extra_workdays),
    )


def build_inbound(settings: Settings) -> Inbound:
    window = settings.file.inbox.timestamp_window_seconds
    endpoints: dict[str, Endpoint] = {}
    for key, account in settings.accounts.items():
        if account.platform != "wechat":
            continue
        secrets = settings.secrets[key]
        aes = secrets.aes_key if account.callback_mode != "plain" else None
        callback = OACallback(
            secrets.token, aes, account.app_id, window_s=window,
            max_body=settings.file.service.max_body_bytes, account_key=key,
        )  # fmt: skip
        endpoints[key] = Endpoint(key, account.name, callback)
    staff = {p.openid: p.key for p in settings.people.values() if p.openid}
    return Inbound(
        endpoints,
        policy_from(settings),
        KeywordAnswersFile(settings.keyword_answers),
        default_quick_scope(),
        staff,
    )


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
    endpoint = inbound.endpoints.get(request.match_info["account_key"])
    if endpoint is None:
        return _text(404, "未知的公众号")
    limit = endpoint.callback.max_body
    if request.content_length is not None and request.content_length > limit:
        return _text(413, "请求体过大")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _text(413, "请求体过大")
    now = time.time()
    try:
        opened = endpoint.callback.open_post(request.query, body, now)
    except CallbackError as exc:
        log.info("callback refused on %s: %s", endpoint.account_key, exc.log_reason)
        return _text(exc.http_status, exc.message_zh)
    writer = inbound.writer
    if writer is None or endpoint.account_id == 0:
        return _text(503, "服务正在启动，请稍后再试")
    digest = hashlib.sha256(f"{opened.timestamp}:{opened.body_digest}".encode()).hexdigest()
    msg = opened.message
    person_key = inbound.staff.get(msg.sender)
    handler = request.app.get(STAFF_COMMAND_HANDLER)
    try:
        if person_key and handler is not None and msg.msg_type == "text":
            await writer.submit(endpoint.account_key, opened.nonce, digest, None)
            answer: str | None = await _staff_answer(
                request.app,
                endpoint.account_key,
                msg.sender,
                handler(endpoint.account_key, person_key, msg.text, msg_key=msg.dedup_key),
            )
        else:
            keywords = inbound.keywords
            row = new_row(msg, endpoint.account_id, utcnow(), inbound.policy, keywords)
            if opened.publish_job is not None:
                row["text"] = json.dumps(asdict(opened.publish_job), ensure_ascii=False)
            elif opened.mass_send_job is not None:
                row["text"] = json.dumps(asdict(opened.mass_send_job), ensure_ascii=False)
            stored = await writer.submit(endpoint.account_key, opened.nonce, digest, row)
            assert stored is not None
            answer = passive_text(stored, endpoint.account_name, keywords, inbound.scope)
    except ReplayRefused:
        log.warning("callback replay refused on %s", endpoint.account_key)
        return _text(403, "重复的请求")
    except WriterUnavailable:
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
        spawn(app, _push_when_done(app, account_key, openid, task))
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


async def _inbound_ctx(app: web.Application) -> AsyncIterator[None]:
    """After the database: account ids, the grouped-commit writer and the slow-path loop."""
    from bot import ticks_inbox

    inbound = app[INBOUND]
    async with app[keys.SESSIONS]() as session:
        ids = {a.key: a.id for a in await all_accounts(session)}
    for key, endpoint in inbound.endpoints.items():
        endpoint.account_id = ids.get(key, 0)
    # jieba's dictionary takes a second or two to load and holds the GIL meanwhile: load it
    # before the first callback arrives, not under traffic
    await asyncio.to_thread(classify, "低保")
    # everything loaded so far (jieba's dictionary, templates, lexicons) lives as long as the
    # process: take it out of the collector's sight, else every full collection walks it again
    # (≈ 50 ms with the loop stopped — the callback's p99)
    gc.freeze()
    store = open_batch_store(app[keys.SETTINGS].database_url, app[keys.SESSIONS])
    writer = InboxWriter(store, on_commit=inbound.kick.set)
    writer.start()
    inbound.writer = writer
    worker = worker_of(app)
    loop_task = None
    if worker.background:  # routing runs in one process; the others' commits are polled for
        poll_s = 1.0 if worker.count > 1 else 5.0
        loop_task = asyncio.get_running_loop().create_task(
            ticks_inbox.process_loop(app, inbound.kick, poll_s=poll_s)
        )
    yield
    await writer.close()
    if loop_task is not None:
        loop_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop_task


def setup(app: web.Application) -> None:
    app[INBOUND] = build_inbound(app[keys.SETTINGS])
    app.cleanup_ctx.append(_inbound_ctx)
    app.router.add_get("/wechat/{account_key}", verify)
    app.router.add_post("/wechat/{account_key}", receive)
