"""Over-long identifiers are refused at the edge (400, "标识字段过长"), against limits read from
the model columns (``bot/platforms/identifier_limits.py``) — on PostgreSQL one such message
used to fail the whole grouped commit it joined, answering 503 to every other citizen in it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any

import pytest
from inbox_support import follower
from sqlalchemy import select

from bot.config.load import Settings
from bot.inbox.inbound import INBOUND
from bot.platforms.identifier_limits import IDENTIFIER_LIMITS
from channels.callback_errors import CallbackError
from channels.crypto import sha1_signature
from channels.sandbox.phone import ReviewerPhone
from channels.wechat.callback import OACallback
from channels.wecom.callback import WeComCallback
from channels.weibo.callback import WeiboPush
from review.db import SessionFactory
from review.models import CitizenMessage
from review.store.inbox_rows import BatchItem, BatchStore, Digests, Stored

LIM = IDENTIFIER_LIMITS
LONG_USER = "o" * (LIM.user_id + 1)
LONG_KEY = "9" * (LIM.key + 1)


def test_limits_are_the_columns() -> None:
    cols = CitizenMessage.__table__.c
    assert (LIM.user_id, LIM.key, LIM.msg_type, LIM.event) == (
        cols.sender.type.length,
        cols.dedup_key.type.length,
        cols.msg_type.type.length,
        cols.event.type.length,
    )


# ---- the parsers ------------------------------------------------------------------------------

TOKEN, NOW = "tok", 1_700_000_000.0


def _oa_post(fields: dict[str, str]) -> Any:
    cb = OACallback(TOKEN, None, "wx1", limits=LIM)
    ts, nonce = str(int(NOW)), "1"
    xml = "<xml>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()) + "</xml>"
    query = {"signature": sha1_signature(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
    return cb.open_post(query, xml.encode(), NOW)


OA_BASE = {"ToUserName": "gh_1", "FromUserName": "o_1", "CreateTime": str(int(NOW))}


@pytest.mark.parametrize(
    "fields",
    [
        {**OA_BASE, "FromUserName": LONG_USER, "MsgType": "text", "MsgId": "1"},
        {**OA_BASE, "ToUserName": LONG_USER, "MsgType": "text", "MsgId": "1"},
        {**OA_BASE, "MsgType": "text", "MsgId": LONG_KEY},
        {**OA_BASE, "MsgType": "event", "Event": "CLICK", "EventKey": LONG_KEY},
        {**OA_BASE, "MsgType": "event", "Event": "E" * (LIM.event + 1)},
        {**OA_BASE, "MsgType": "t" * (LIM.msg_type + 1), "MsgId": "1"},
    ],
)
def test_wechat_refuses_over_long_identifiers(fields: dict[str, str]) -> None:
    with pytest.raises(CallbackError) as caught:
        _oa_post(fields)
    assert caught.value.http_status == 400 and caught.value.message_zh == "标识字段过长"


def test_wechat_accepts_identifiers_at_the_limit() -> None:
    fields = {**OA_BASE, "FromUserName": "o" * LIM.user_id, "MsgType": "text"}
    opened = _oa_post({**fields, "MsgId": "9" * LIM.key})
    assert len(opened.message.sender) == LIM.user_id


WECOM_KEY, CORP = "C" * 42 + "E", "ww_corp"


@pytest.mark.parametrize(
    "fields",
    [
        {"FromUserName": LONG_USER, "MsgType": "text", "Content": "帮助", "MsgId": "1"},
        {"MsgType": "text", "Content": "帮助", "MsgId": LONG_KEY},
        {"MsgType": "event", "Event": "template_card_event", "EventKey": "approve:1",
         "TaskId": LONG_KEY},
    ],
)  # fmt: skip
def test_wecom_refuses_over_long_identifiers(fields: dict[str, str]) -> None:
    cb = WeComCallback(TOKEN, WECOM_KEY, CORP, 1000002, limits=LIM)
    phone = ReviewerPhone("http://x", "app", TOKEN, WECOM_KEY, CORP, 1000002, "zhangsan")
    userid = fields.pop("FromUserName", None)
    if userid:
        phone.userid = userid
    query, body = phone.build_request(phone.message_xml(fields))
    with pytest.raises(CallbackError) as caught:
        cb.open_post(query, body, time.time())
    assert caught.value.http_status == 400


@pytest.mark.parametrize(
    "push",
    [
        {"sender_id": LONG_USER},
        {"receiver_id": LONG_USER},
        {"type": "event", "data": {"subtype": "click", "key": LONG_KEY}},
    ],
)
def test_weibo_refuses_over_long_identifiers(push: dict[str, Any]) -> None:
    secret, ts, nonce = "weibo_secret", str(int(NOW * 1000)), "42"
    base: dict[str, Any] = {
        "type": "text", "receiver_id": 1902538057, "sender_id": 2489518277,
        "created_at": "Tue Nov 14 22:13:20 +0800 2023", "text": "你好", "data": {},
    }  # fmt: skip
    query = {"signature": sha1_signature(secret, ts, nonce), "timestamp": ts, "nonce": nonce}
    body = json.dumps({**base, **push}).encode()
    with pytest.raises(CallbackError) as caught:
        WeiboPush(secret, limits=LIM).open_post(query, body, NOW)
    assert caught.value.http_status == 400


# ---- through the service, on SQLite and PostgreSQL ------------------------------------------


@pytest.mark.pg
async def test_over_long_openid_is_a_400_and_stores_nothing(
    app_client: Any, settings: Settings, sf: SessionFactory
) -> None:
    reply = await follower(app_client, settings, openid=LONG_USER).send_text("你好")
    assert reply.status == 400 and reply.body.decode() == "标识字段过长"
    async with sf() as s:
        assert (await s.scalars(select(CitizenMessage))).all() == []


class _Held:
    """The writer's store, holding its first batch until released: the next batch then takes
    every request that arrived meanwhile — one grouped commit, deterministically."""

    def __init__(self, inner: BatchStore) -> None:
        self.inner = inner
        self.entered, self.release = asyncio.Event(), asyncio.Event()

    async def commit(self, items: Sequence[BatchItem]) -> tuple[Digests, Stored]:
        if not self.entered.is_set():
            self.entered.set()
            await self.release.wait()
        return await self.inner.commit(items)

    async def close(self) -> None:
        await self.inner.close()


@pytest.mark.pg
async def test_one_over_long_message_does_not_fail_its_burst(
    app_client: Any, settings: Settings, sf: SessionFactory
) -> None:
    writer = app_client.server.app[INBOUND].writer
    held = writer.store = _Held(writer.store)
    f = follower(app_client, settings)
    first = asyncio.create_task(f.send_text("第一条"))
    await asyncio.wait_for(held.entered.wait(), 10)
    burst = [asyncio.create_task(f.send_text(f"留言 {i}")) for i in range(10)]
    xml = f.message_xml({"MsgType": "text", "Content": "超长", "MsgId": LONG_KEY})
    long_one = asyncio.create_task(f.post(*f.build_request(xml)))
    loop, queued = asyncio.get_running_loop(), writer._items
    deadline = loop.time() + 10
    # until the burst is queued behind the held batch (and the long one answered or queued)
    while not ((len(queued) >= 10 and long_one.done()) or len(queued) >= 11):
        assert loop.time() < deadline, "the burst never reached the writer"
        await asyncio.sleep(0.01)
    held.release.set()
    replies = await asyncio.gather(first, *burst)
    assert [r.status for r in replies] == [200] * 11
    assert (await long_one).status == 400
    async with sf() as s:
        texts = set((await s.scalars(select(CitizenMessage.text))).all())
    assert texts == {"第一条", *(f"留言 {i}" for i in range(10))}
