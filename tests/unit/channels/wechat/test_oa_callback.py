"""OACallback: public vectors V1/V2, round trips in all three modes, and every refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

from channels.base import Platform
from channels.callback_errors import CallbackError
from channels.crypto import sha1_signature
from channels.sandbox.follower import Follower
from channels.wechat.callback import OACallback

# V1 — official OA WXBizMsgCrypt demo (platforms.md §2.8)
V1_TOKEN, V1_KEY, V1_APPID = (
    "spamtest",
    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "wx2c2769f8efd9abc2",
)
V1_BODY = (
    b"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA["
    b"oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType>"
    b"<![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728"
    b"</MsgId><Encrypt><![CDATA[hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+L"
    b"rPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41"
    b"IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6K"
    b"WwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1Dl"
    b"D+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=]]>"
    b"</Encrypt></xml>"
)
V1_QUERY = {
    "signature": "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a",
    "timestamp": "1409735669",
    "nonce": "1320562132",
    "encrypt_type": "aes",
    "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
}
NOW = 1409735669.0

TOKEN, KEY, APPID = "sandboxtoken", "A" * 42 + "E", "wx_sandbox_app"


def v1() -> OACallback:
    return OACallback(V1_TOKEN, V1_KEY, V1_APPID, account_key="main")


def test_v2_plain_signature_vector() -> None:
    assert sha1_signature("AAAAA", "1714037059", "486452656") == (
        "899cf89e464efb63f54ddac96b0a0a235f53aa78"
    )
    cb = OACallback("AAAAA", None, "wx")
    sig = "899cf89e464efb63f54ddac96b0a0a235f53aa78"
    assert cb.verify_get(sig, "1714037059", "486452656", "echo123", 1714037060) == "echo123"
    with pytest.raises(CallbackError) as err:
        cb.verify_get(sig, "1714037059", "486452657", "echo123", 1714037060)
    assert err.value.kind == "forbidden"


def test_v1_official_vector_decrypts_to_the_text_message() -> None:
    opened = v1().open_post(V1_QUERY, V1_BODY, NOW)
    msg = opened.message
    assert msg.platform is Platform.WECHAT and msg.account_key == "main"
    assert (msg.dedup_key, msg.sender, msg.text) == (
        "6054768590064713728",
        "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
        "abcdteT",
    )
    assert msg.created_at == datetime(2014, 9, 3, 9, 14, 28, tzinfo=UTC)
    assert opened.encrypted and opened.nonce == "1320562132"
    assert len(opened.body_digest) == 64


def test_v1_reply_decrypts_with_wechatpy() -> None:
    cb = v1()
    opened = cb.open_post(V1_QUERY, V1_BODY, NOW)
    raw = cb.reply_text(opened, "收到：abcdteT", NOW + 1)
    env = xmltodict.parse(raw)["xml"]
    assert env["Nonce"] == "1320562132"
    plain = WeChatCrypto(V1_TOKEN, V1_KEY, V1_APPID).decrypt_message(
        raw, env["MsgSignature"], env["TimeStamp"], env["Nonce"]
    )
    reply = xmltodict.parse(plain)["xml"]
    assert reply["ToUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert reply["FromUserName"] == "gh_10f6c3c3ac5a"
    assert reply["Content"] == "收到：abcdteT"


def test_wrong_msg_signature_with_valid_plain_signature_is_forbidden() -> None:
    query = {**V1_QUERY, "msg_signature": "0" * 40}
    with pytest.raises(CallbackError) as err:
        v1().open_post(query, V1_BODY, NOW)
    assert err.value.kind == "forbidden" and "msg_signature" in err.value.log_reason


def test_bad_plain_signature_is_forbidden() -> None:
    query = {**V1_QUERY, "signature": "1" * 40}
    with pytest.raises(CallbackError) as err:
        v1().open_post(query, V1_BODY, NOW)
    assert err.value.kind == "forbidden" and err.value.http_status == 403


@pytest.mark.parametrize("skew", [-301, 301, 10_000])
def test_stale_timestamps_are_refused(skew: int) -> None:
    with pytest.raises(CallbackError) as err:
        v1().open_post(V1_QUERY, V1_BODY, NOW + skew)
    assert err.value.kind == "stale"
    v1().open_post(V1_QUERY, V1_BODY, NOW + 299)  # inside the window


def test_oversized_body_is_too_large_before_anything_else() -> None:
    cb = OACallback(TOKEN, KEY, APPID, max_body=1024)
    with pytest.raises(CallbackError) as err:
        cb.open_post({}, b"<xml>" + b"x" * 1100 + b"</xml>", NOW)
    assert err.value.kind == "too_large" and err.value.http_status == 413


@pytest.mark.parametrize(
    "query",
    [
        {"timestamp": "abc", "nonce": "1", "signature": "x"},
        {"timestamp": "1409735669", "nonce": "<script>", "signature": "x"},
        {"nonce": "1", "signature": "x"},
    ],
)
def test_malformed_query_is_bad_request(query: dict[str, str]) -> None:
    with pytest.raises(CallbackError) as err:
        v1().open_post(query, V1_BODY, NOW)
    assert err.value.kind == "bad_request"


def test_errors_never_leak_openids_or_text() -> None:
    for body in (V1_BODY.replace(b"1409735668", b"x"), V1_BODY[:-3]):
        try:
            OACallback(V1_TOKEN, None, V1_APPID).open_post(
                {k: V1_QUERY[k] for k in ("signature", "timestamp", "nonce")}, body, NOW
            )
        except CallbackError as exc:
            assert "oyOR" not in exc.log_reason and "abcdteT" not in exc.log_reason
            assert V1_TOKEN not in exc.log_reason


def _follower(mode: str, **kw: object) -> Follower:
    key = None if mode == "plain" else KEY
    return Follower("http://x", "main", TOKEN, key, APPID, mode, clock=lambda: NOW, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["plain", "compat", "aes"])
def test_round_trip_all_modes(mode: str) -> None:
    cb = OACallback(TOKEN, None if mode == "plain" else KEY, APPID, account_key="main")
    follower = _follower(mode)
    query, body = follower.build_request(follower.text_xml("你好，低保怎么申请？", msg_id=42))
    opened = cb.open_post(query, body, NOW)
    assert opened.message.text == "你好，低保怎么申请？" and opened.message.dedup_key == "42"
    assert opened.encrypted is (mode != "plain")
    raw = cb.reply_text(opened, "已收到，工单号 A-1 ]]> <b>", NOW)
    from channels.sandbox.callback_wire import unwrap_reply

    fields = unwrap_reply(raw, TOKEN, follower._cipher)
    assert fields["Content"] == "已收到，工单号 A-1 ]]> <b>"
    assert fields["ToUserName"] == follower.openid


def test_plaintext_refused_when_account_has_aes_key() -> None:
    query, body = _follower("plain").build_request(_follower("plain").text_xml("hi"))
    with pytest.raises(CallbackError) as err:
        OACallback(TOKEN, KEY, APPID).open_post(query, body, NOW)
    assert err.value.kind == "forbidden"
    assert OACallback(TOKEN, KEY, APPID, require_encryption=False).open_post(query, body, NOW)


def test_compat_mode_trusts_the_ciphertext_not_the_plaintext_copy() -> None:
    follower = _follower("compat")
    query, body = follower.build_request(follower.text_xml("真的", msg_id=7))
    forged = body.replace("真的".encode(), "假的".encode(), 1)
    assert forged != body
    assert OACallback(TOKEN, KEY, APPID).open_post(query, forged, NOW).message.text == "真的"


def test_previous_aes_key_still_decrypts_during_rotation() -> None:
    follower = _follower("aes")  # encrypts with KEY
    query, body = follower.build_request(follower.text_xml("rotation"))
    cb = OACallback(TOKEN, "B" * 42 + "E", APPID, previous_aes_key=KEY)
    assert cb.open_post(query, body, NOW).message.text == "rotation"
    with pytest.raises(CallbackError):
        OACallback(TOKEN, "B" * 42 + "E", APPID).open_post(query, body, NOW)


def test_other_app_id_inside_ciphertext_is_forbidden() -> None:
    follower = Follower("http://x", "main", TOKEN, KEY, "wx_other", clock=lambda: NOW)
    query, body = follower.build_request(follower.text_xml("hi"))
    with pytest.raises(CallbackError) as err:
        OACallback(TOKEN, KEY, APPID).open_post(query, body, NOW)
    assert err.value.kind == "forbidden"


def test_aes_request_without_configured_key_is_bad_request() -> None:
    query, body = _follower("aes").build_request(_follower("aes").text_xml("hi"))
    with pytest.raises(CallbackError) as err:
        OACallback(TOKEN, None, APPID).open_post(query, body, NOW)
    assert err.value.kind == "bad_request"


def test_reply_empty_is_success() -> None:
    assert OACallback.reply_empty() == b"success"
