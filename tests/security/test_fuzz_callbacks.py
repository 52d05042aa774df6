"""Hypothesis fuzzing of the three callback parsers and of the OA route: whatever arrives, the
answer is a result or one of the closed ``CallbackError`` kinds — never another exception — an
accepted message fits the columns it will be stored in, and the route never answers 500 nor
stores a row it refused. Bounded (``max_examples``) so it runs on every push."""

from __future__ import annotations

import json
import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inbox_support import follower
from sqlalchemy import func, select

from bot.config.load import Settings
from bot.platforms.identifier_limits import IDENTIFIER_LIMITS as LIM
from channels.callback_errors import HTTP_STATUS, CallbackError
from channels.crypto import sha1_signature
from channels.sandbox.callback_wire import render_fields
from channels.sandbox.phone import ReviewerPhone
from channels.wechat.callback import OACallback
from channels.wecom.callback import WeComCallback
from channels.weibo.callback import WeiboPush
from review.db import SessionFactory
from review.models import CitizenMessage

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOKEN, AES, CORP, NOW = "tok", "C" * 42 + "E", "ww_corp", 1_700_000_000.0

NAMES = [
    "ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "MsgID", "Event",
    "EventKey", "TaskId", "CardType", "ResponseCode", "AgentID", "Status", "TotalCount",
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(["text", "event", "image", "subscribe", "PUBLISHJOBFINISH",
                     "MASSSENDJOBFINISH", "template_card_event", "approve:12", str(int(NOW)),
                     "1000002", ""]),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(alphabet="9o", min_size=100, max_size=400),
)  # fmt: skip
FIELDS = st.dictionaries(st.sampled_from(NAMES) | st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True),
                         VALUES, max_size=10)  # fmt: skip


def _fits(message: Any) -> None:
    assert len(message.sender) <= LIM.user_id and len(message.dedup_key) <= LIM.key
    assert len(message.msg_type) <= LIM.msg_type and len(message.event or "") <= LIM.event


def _closed(exc: CallbackError) -> None:
    assert exc.kind in HTTP_STATUS and exc.message_zh


def _oa_query(ts: str, nonce: str) -> dict[str, str]:
    return {"signature": sha1_signature(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}


@FUZZ
@given(fields=FIELDS, raw=st.binary(max_size=300), use_raw=st.booleans())
def test_wechat_parser(fields: dict[str, str], raw: bytes, use_raw: bool) -> None:
    body = raw if use_raw else f"<xml>{render_fields(fields)}</xml>".encode()
    cb = OACallback(TOKEN, None, "wx1", limits=LIM)
    try:
        opened = cb.open_post(_oa_query(str(int(NOW)), "1"), body, NOW)
    except CallbackError as exc:
        _closed(exc)
    else:
        _fits(opened.message)


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["signature", "timestamp", "nonce", "encrypt_type", "msg_signature"]),
        st.text(max_size=30),
    ),
    raw=st.binary(max_size=200),
)
def test_wechat_parser_unsigned_noise(query: dict[str, str], raw: bytes) -> None:
    try:
        OACallback(TOKEN, AES, "wx1", limits=LIM).open_post(query, raw, NOW)
    except CallbackError as exc:
        _closed(exc)


@FUZZ
@given(fields=FIELDS)
def test_wecom_parser(fields: dict[str, str]) -> None:
    cb = WeComCallback(TOKEN, AES, CORP, 1000002, limits=LIM)
    phone = ReviewerPhone("http://x", "app", TOKEN, AES, CORP, 1000002, "zhangsan")
    query, body = phone.build_request(f"<xml>{render_fields(fields)}</xml>")
    try:
        opened = cb.open_post(query, body, time.time())
    except CallbackError as exc:
        _closed(exc)
    else:
        _fits(opened.message)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | VALUES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=8,
)  # fmt: skip
PUSH_KEYS = ["type", "sender_id", "receiver_id", "created_at", "text", "data"]


@FUZZ
@given(push=st.dictionaries(st.sampled_from(PUSH_KEYS), JSONISH), raw=st.binary(max_size=100))
def test_weibo_parser(push: dict[str, Any], raw: bytes) -> None:
    secret, ts, nonce = "weibo_secret", str(int(NOW * 1000)), "42"
    query = {"signature": sha1_signature(secret, ts, nonce), "timestamp": ts, "nonce": nonce}
    wb = WeiboPush(secret, limits=LIM)
    for body in (json.dumps(push).encode(), raw):
        try:
            opened = wb.open_post(query, body, NOW)
        except CallbackError as exc:
            _closed(exc)
        else:
            if opened.message is not None:
                _fits(opened.message)


@settings(
    max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(fields=FIELDS)
async def test_wechat_route_never_500s_nor_stores_a_refused_row(
    app_client: Any, settings: Settings, sf: SessionFactory, fields: dict[str, str]
) -> None:
    """Signed, encrypted requests with fuzzed fields, through the real route and writer."""
    f = follower(app_client, settings)
    async with sf() as s:
        before = await s.scalar(select(func.count()).select_from(CitizenMessage))
    reply = await f.post(*f.build_request(f"<xml>{render_fields(fields)}</xml>"))
    assert reply.status != 500 and reply.status in (200, 400, 403, 413)
    async with sf() as s:
        after = await s.scalar(select(func.count()).select_from(CitizenMessage))
        longest = await s.scalar(select(func.max(func.length(CitizenMessage.sender))))
    if reply.status != 200:
        assert after == before
    assert (longest or 0) <= LIM.user_id
