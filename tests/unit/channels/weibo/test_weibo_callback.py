"""WeiboPush: vector V5 (millisecond timestamp), push parsing, unknown types, passive reply."""

from __future__ import annotations

import json
import urllib.parse
from datetime import UTC, datetime

import pytest

from channels.callback_errors import CallbackError
from channels.crypto import sha1_signature
from channels.weibo.callback import WeiboPush

V5 = ("xyz123xyz", "1397022061823", "57155157", "90e4c22c90a58f26526c2dd5b6c56c8822edeaa1")
SECRET, NOW = "weibo_secret", 1_700_000_000.0
TS = str(int(NOW * 1000))


def query(nonce: str = "42") -> dict[str, str]:
    return {"signature": sha1_signature(SECRET, TS, nonce), "timestamp": TS, "nonce": nonce}


def push(**kw: object) -> bytes:
    base: dict[str, object] = {
        "type": "text",
        "receiver_id": 1902538057,
        "sender_id": 2489518277,
        "created_at": "Tue Nov 14 22:13:20 +0800 2023",
        "text": "请问高龄津贴怎么领？",
        "data": {},
    }
    return json.dumps({**base, **kw}, ensure_ascii=False).encode()


def test_v5_signature_vector_with_millisecond_timestamp() -> None:
    secret, ts, nonce, sig = V5
    assert sha1_signature(secret, ts, nonce) == sig
    wb = WeiboPush(secret)
    assert wb.verify(sig, ts, nonce, 1397022061.823) == (ts, nonce)
    assert wb.verify_get(sig, ts, nonce, "abc123", 1397022100) == "abc123"
    with pytest.raises(CallbackError) as err:  # ms read as s would be far away: still checked
        wb.verify(sig, ts, nonce, 1397022061.823 + 301)
    assert err.value.kind == "stale"
    with pytest.raises(CallbackError) as err:
        wb.verify(sig, ts, "57155158", 1397022061.823)
    assert err.value.kind == "forbidden"


def test_text_push_becomes_incoming_message() -> None:
    opened = WeiboPush(SECRET, account_key="weibo_main").open_post(query(), push(), NOW)
    msg = opened.message
    assert msg is not None
    assert (msg.sender, msg.msg_type, msg.text, msg.account_key) == (
        "2489518277",
        "text",
        "请问高龄津贴怎么领？",
        "weibo_main",
    )
    assert msg.created_at == datetime(2023, 11, 14, 14, 13, 20, tzinfo=UTC)
    assert msg.dedup_key.startswith("2489518277:1699971200:text:")


def test_retry_has_same_dedup_key_other_text_differs() -> None:
    wb = WeiboPush(SECRET)
    first = wb.open_post(query("1"), push(), NOW).message
    retry = wb.open_post(query("2"), push(), NOW).message
    other = wb.open_post(query("3"), push(text="另一条"), NOW).message
    assert first and retry and other
    assert first.dedup_key == retry.dedup_key != other.dedup_key


def test_event_push_and_unknown_type() -> None:
    wb = WeiboPush(SECRET)
    ev = wb.open_post(query(), push(type="event", data={"subtype": "follow", "key": ""}), NOW)
    assert ev.message is not None and ev.message.event == "follow"
    unknown = wb.open_post(query(), push(type="shiny_new_thing"), NOW)
    assert unknown.message is None and WeiboPush.reply_text(unknown, "x") == b""


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1,2]", push(created_at="yesterday"), push(sender_id=None), push(text=5)],
)
def test_bad_pushes_are_bad_request(body: bytes) -> None:
    with pytest.raises(CallbackError) as err:
        WeiboPush(SECRET).open_post(query(), body, NOW)
    assert err.value.kind == "bad_request"


def test_oversized_push() -> None:
    with pytest.raises(CallbackError) as err:
        WeiboPush(SECRET, max_body=100).open_post(query(), push(text="x" * 200), NOW)
    assert err.value.kind == "too_large"


def test_passive_reply_swaps_ids_and_url_encodes_data() -> None:
    wb = WeiboPush(SECRET)
    opened = wb.open_post(query(), push(), NOW)
    reply = json.loads(wb.reply_text(opened, "已收到，工单号 W-1"))
    assert reply["result"] is True and reply["type"] == "text"
    assert (reply["receiver_id"], reply["sender_id"]) == ("2489518277", "1902538057")
    assert json.loads(urllib.parse.unquote(reply["data"])) == {"text": "已收到，工单号 W-1"}
    long = json.loads(wb.reply_text(opened, "长" * 400))
    assert len(json.loads(urllib.parse.unquote(long["data"]))["text"]) < 300
