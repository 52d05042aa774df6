"""OA events: dedup keys, PUBLISHJOBFINISH and MASSSENDJOBFINISH parsed from raw fields."""

from __future__ import annotations

import pytest
from wechatpy import parse_message
from wechatpy.messages import UnknownMessage

from channels.callback_errors import CallbackError
from channels.replay import MAX_KEY
from channels.sandbox.follower import Follower
from channels.wechat.callback import OACallback

TOKEN, KEY, APPID, NOW = "sandboxtoken", "A" * 42 + "E", "wx_sandbox_app", 1_700_000_000.0
CB = OACallback(TOKEN, KEY, APPID, account_key="main")
FOLLOWER = Follower("http://x", "main", TOKEN, KEY, APPID, clock=lambda: NOW, openid="o_1")


def test_subscribe_event_dedup_key_is_sender_time_event() -> None:
    opened = CB.open_post(*FOLLOWER.build_request(FOLLOWER.event_xml("subscribe")), NOW)
    assert opened.message.dedup_key == f"o_1:{int(NOW)}:subscribe"
    assert opened.message.event == "subscribe" and opened.message.msg_type == "event"


def test_two_menu_clicks_in_one_second_differ_by_event_key() -> None:
    keys = {
        CB.open_post(
            *FOLLOWER.build_request(FOLLOWER.event_xml("CLICK", EventKey=k)), NOW
        ).message.dedup_key
        for k in ("MENU_A", "MENU_B")
    }
    assert keys == {f"o_1:{int(NOW)}:CLICK:MENU_A", f"o_1:{int(NOW)}:CLICK:MENU_B"}


def test_long_event_key_is_hashed_below_max_key() -> None:
    xml = FOLLOWER.event_xml("SCAN", EventKey="k" * 400)
    key = CB.open_post(*FOLLOWER.build_request(xml), NOW).message.dedup_key
    assert len(key) <= MAX_KEY and "~" in key


def publish_xml(**info: object) -> str:
    return FOLLOWER.event_xml("PUBLISHJOBFINISH", PublishEventInfo=info)  # type: ignore[arg-type]


def test_publish_job_finish_is_parsed_from_raw_fields() -> None:
    xml = publish_xml(
        publish_id="2247483999",
        publish_status=0,
        article_id="Mwl_abc",
        article_detail={
            "count": 2,
            "item": [
                {"idx": 1, "article_url": "https://mp.weixin.qq.com/s/one"},
                {"idx": 2, "article_url": "https://mp.weixin.qq.com/s/two"},
            ],
        },
    )
    assert isinstance(parse_message(xml), UnknownMessage)
    opened = CB.open_post(*FOLLOWER.build_request(xml), NOW)
    job = opened.publish_job
    assert job is not None and job.succeeded
    assert (job.publish_id, job.article_id) == ("2247483999", "Mwl_abc")
    assert [(a.idx, a.url) for a in job.articles] == [
        (1, "https://mp.weixin.qq.com/s/one"),
        (2, "https://mp.weixin.qq.com/s/two"),
    ]
    assert opened.message.dedup_key == f"o_1:{int(NOW)}:PUBLISHJOBFINISH:2247483999"


def test_publish_job_failure_with_fail_idx() -> None:
    xml = publish_xml(publish_id="9", publish_status=3, fail_idx={"item": [1, 3]})
    job = CB.open_post(*FOLLOWER.build_request(xml), NOW).publish_job
    assert job is not None and not job.succeeded
    assert (job.publish_status, job.article_id, job.articles, job.fail_idx) == (3, None, (), (1, 3))


@pytest.mark.parametrize(
    "info", [{}, {"publish_status": 0}, {"publish_id": "1", "publish_status": "x"}]
)
def test_broken_publish_event_is_bad_request(info: dict[str, object]) -> None:
    xml = FOLLOWER.event_xml("PUBLISHJOBFINISH", **({"PublishEventInfo": info} if info else {}))  # type: ignore[arg-type]
    with pytest.raises(CallbackError) as err:
        CB.open_post(*FOLLOWER.build_request(xml), NOW)
    assert err.value.kind == "bad_request"


def test_mass_send_job_finish() -> None:
    xml = FOLLOWER.event_xml(
        "MASSSENDJOBFINISH",
        MsgID="1000001625",
        Status="send success",
        TotalCount=100,
        FilterCount=80,
        SentCount=75,
        ErrorCount=5,
    )
    opened = CB.open_post(*FOLLOWER.build_request(xml), NOW)
    job = opened.mass_send_job
    assert job is not None
    assert (job.msg_id, job.status, job.total_count, job.sent_count, job.error_count) == (
        "1000001625",
        "send success",
        100,
        75,
        5,
    )
    assert opened.message.dedup_key.endswith(":MASSSENDJOBFINISH:1000001625")


@pytest.mark.parametrize(
    "fields",
    [
        {"MsgType": "text", "Content": "x", "CreateTime": "soon"},
        {"MsgType": "event"},
        {"MsgType": ""},
    ],
)
def test_missing_or_bad_fields_are_bad_request(fields: dict[str, str]) -> None:
    xml = FOLLOWER.message_xml(fields)
    with pytest.raises(CallbackError) as err:
        CB.open_post(*FOLLOWER.build_request(xml), NOW)
    assert err.value.kind == "bad_request"


def test_non_text_message_keeps_msg_id_and_empty_text() -> None:
    xml = FOLLOWER.message_xml({"MsgType": "image", "PicUrl": "http://x/y.jpg", "MsgId": 77})
    opened = CB.open_post(*FOLLOWER.build_request(xml), NOW)
    assert (opened.message.msg_type, opened.message.text, opened.message.dedup_key) == (
        "image",
        "",
        "77",
    )
    assert opened.message.raw["PicUrl"] == "http://x/y.jpg"
