"""WeComCallback: vectors V3/V4, card clicks, agent checks and the 2048-byte reply cap."""

from __future__ import annotations

import pytest
import xmltodict
from wechatpy.enterprise.crypto import WeChatCrypto as WorkCrypto

from channels.callback_errors import CallbackError
from channels.sandbox.callback_wire import unwrap_reply
from channels.sandbox.phone import ReviewerPhone
from channels.wecom.callback import (
    WeComCallback,
    card_click_to_command,
    truncate_utf8,
)

V3 = (
    "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo",
    "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
    "ww1436e0e65a779aee",
)
V3_ECHO = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
V3_ENCRYPT = (
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhz"
    "TtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5"
    "jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cR"
    "X3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+"
)
V3_BODY = (
    f"<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA[{V3_ENCRYPT}]]>"
    "</Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>"
).encode()
V4 = ("123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a")
V4_ECHO = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="

TOKEN, KEY, CORP, AGENT, NOW = "wecomtoken", "C" * 42 + "E", "ww_sandbox", 1000002, 1_700_000_000.0


def test_v3_verify_url() -> None:
    cb = WeComCallback(*V3)
    sig = "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb"
    assert (
        cb.verify_get(sig, "1476416373", "47744683", V3_ECHO, 1476416373) == "1288432023552776189"
    )


def test_v3_verify_url_survives_plus_decoded_as_space() -> None:
    sig = "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb"
    echo = V3_ECHO.replace("+", " ")
    assert WeComCallback(*V3).verify_get(sig, "1476416373", "47744683", echo, 1476416373) == (
        "1288432023552776189"
    )


def test_v3_decrypt_msg() -> None:
    cb = WeComCallback(*V3, agent_id=1000002, account_key="review")
    query = {
        "msg_signature": "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
        "timestamp": "1476422779",
        "nonce": "1597212914",
    }
    opened = cb.open_post(query, V3_BODY, 1476422779)
    assert (opened.sender, opened.text, opened.message.dedup_key) == (
        "ChenJiaShun",
        "你好",
        "1456453720",
    )
    assert opened.agent_id == 1000002 and opened.card_click is None
    assert opened.message.platform.value == "wecom" and opened.message.account_key == "review"
    with pytest.raises(CallbackError) as err:  # a callback meant for another app
        WeComCallback(*V3, agent_id=1000003).open_post(query, V3_BODY, 1476422779)
    assert err.value.kind == "forbidden"


def test_v4_wechatpy_vector_and_wrong_nonce() -> None:
    cb = WeComCallback(*V4)
    sig = "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"
    assert (
        cb.verify_get(sig, "1411443780", "437374425", V4_ECHO, 1411443780) == "5927782489442352469"
    )
    with pytest.raises(CallbackError) as err:
        cb.verify_get(sig, "1411443780", "437374424", V4_ECHO, 1411443780)
    assert err.value.kind == "forbidden"


def test_verify_get_refuses_stale() -> None:
    sig = "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"
    with pytest.raises(CallbackError) as err:
        WeComCallback(*V4).verify_get(sig, "1411443780", "437374425", V4_ECHO, 1411443780 + 3600)
    assert err.value.kind == "stale"


def phone(userid: str = "zhangsan") -> ReviewerPhone:
    return ReviewerPhone("http://x", "review", TOKEN, KEY, CORP, AGENT, userid, clock=lambda: NOW)


def test_text_round_trip_and_reply_readable_by_wechatpy() -> None:
    cb = WeComCallback(TOKEN, KEY, CORP, AGENT)
    query, body = phone().build_request(phone().text_xml("通过 12", msg_id=99))
    opened = cb.open_post(query, body, NOW)
    assert (opened.sender, opened.text, opened.message.dedup_key) == ("zhangsan", "通过 12", "99")
    raw = cb.reply_text(opened, "已通过 #12", NOW)
    env = xmltodict.parse(raw)["xml"]
    plain = WorkCrypto(TOKEN, KEY, CORP).decrypt_message(
        raw, env["MsgSignature"], env["TimeStamp"], env["Nonce"]
    )
    reply = xmltodict.parse(plain)["xml"]
    assert (reply["ToUserName"], reply["FromUserName"], reply["Content"]) == (
        "zhangsan",
        CORP,
        "已通过 #12",
    )


def test_card_click_is_parsed_and_deduplicated_per_task_and_button() -> None:
    cb = WeComCallback(TOKEN, KEY, CORP, AGENT)
    p = phone()
    opened = cb.open_post(*p.build_request(p.click_xml("approve:12", "draft-12-v3")), NOW)
    click = opened.card_click
    assert click is not None
    assert (click.button_key, click.task_id, click.card_type) == (
        "approve:12",
        "draft-12-v3",
        "button_interaction",
    )
    assert click.response_code
    assert opened.message.dedup_key == (
        f"zhangsan:{int(NOW)}:template_card_event:draft-12-v3:approve:12"
    )
    assert opened.message.event == "template_card_event" and opened.text == ""


@pytest.mark.parametrize(
    ("key", "command"),
    [
        ("approve:12", "通过 12"),
        ("reject:12", "驳回 12 （卡片按钮）"),
        ("changes:7", "退回 7 （卡片按钮）"),
        ("claim:3", "认领 3"),
        ("approve:x", None),
        ("launch:1", None),
        ("approve:12; rm", None),
    ],
)
def test_card_click_to_command(key: str, command: str | None) -> None:
    assert card_click_to_command(key) == command


def test_reply_is_capped_at_2048_bytes() -> None:
    cb = WeComCallback(TOKEN, KEY, CORP, AGENT)
    opened = cb.open_post(*phone().build_request(phone().text_xml("帮助")), NOW)
    fields = unwrap_reply(cb.reply_text(opened, "审" * 1000, NOW), TOKEN, phone()._cipher)
    content = fields["Content"]
    assert len(content.encode()) <= 2048 and content.endswith("…")
    assert truncate_utf8("短", 2048) == "短"


def test_bad_signature_tampered_and_oversized() -> None:
    cb = WeComCallback(TOKEN, KEY, CORP, AGENT, max_body=4096)
    query, body = phone().build_request(phone().text_xml("hi"))
    with pytest.raises(CallbackError) as err:
        cb.open_post({**query, "msg_signature": "f" * 40}, body, NOW)
    assert err.value.kind == "forbidden"
    with pytest.raises(CallbackError) as err:
        cb.open_post(query, body.replace(b"<Encrypt><![CDATA[", b"<Encrypt><![CDATA[AAAA"), NOW)
    assert err.value.kind == "forbidden"
    with pytest.raises(CallbackError) as err:
        cb.open_post(query, b" " * 5000, NOW)
    assert err.value.kind == "too_large"
    with pytest.raises(CallbackError) as err:
        cb.open_post(query, b"<xml><AgentID>1</AgentID></xml>", NOW)
    assert err.value.kind == "bad_request"
