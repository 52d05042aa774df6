"""channels.crypto against wechatpy and the public vectors; the replay guard and dedup keys."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wechatpy.crypto import WeChatCrypto

from channels.callback_errors import CallbackError
from channels.crypto import MessageCipher, cdata, decode_aes_key, sha1_signature
from channels.replay import MemoryNonceGuard, dedup_key, guard_replay, utc_from_epoch

V4_TOKEN, V4_KEY, V4_ID = (
    "123456",
    "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
    "wx49f0ab532d5d035a",
)
V4_REPLY = (
    "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
    "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n"
    "<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n"
    "<CreateTime>1411525903</CreateTime>\n</xml>"
)
V4_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8Gq"
    "xlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qv"
    "SUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQy"
    "PR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
)
KEY, APPID = "A" * 42 + "E", "wx_sandbox_app"
CIPHER = MessageCipher(KEY, APPID)
WECHATPY = WeChatCrypto("t", KEY, APPID)


def test_deterministic_encrypt_vector_from_wechatpy_tests() -> None:
    cipher = MessageCipher(V4_KEY, V4_ID)
    encrypt = cipher.encrypt(V4_REPLY.encode(), random_prefix=b"1234567890123456")
    assert encrypt == V4_ENCRYPT
    assert sha1_signature(V4_TOKEN, "1411525903", "461056294", encrypt) == (
        "407518b7649e86ef23978113f92d27afa9296533"
    )
    assert cipher.decrypt(encrypt) == V4_REPLY.encode()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_random_text_round_trips_both_ways_with_wechatpy(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    ours = CIPHER.encrypt(data)
    assert CIPHER.decrypt(ours) == data
    sig = sha1_signature("t", "1", "2", ours)
    env = f"<xml><Encrypt>{ours}</Encrypt></xml>"
    assert WECHATPY.decrypt_message(env, sig, "1", "2").encode("utf-8", "surrogatepass") == data
    theirs = WECHATPY.encrypt_message(data.decode("utf-8", "surrogatepass"), "2", "1")
    encrypted = theirs.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    assert CIPHER.decrypt(encrypted) == data


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_garbage_ciphertext_never_crashes(garbage: bytes) -> None:
    for candidate in (base64.b64encode(garbage).decode(), garbage.decode("latin-1")):
        try:
            CIPHER.decrypt(candidate)
        except CallbackError as exc:
            assert exc.kind in ("bad_request", "forbidden")


def test_decrypt_checks_length_field_and_padding() -> None:
    enc = base64.b64decode(CIPHER.encrypt(b"hello"))
    with pytest.raises(CallbackError):
        CIPHER.decrypt(base64.b64encode(enc[:-16]).decode())  # truncated: padding broken
    with pytest.raises(CallbackError):
        CIPHER.decrypt("")
    other = MessageCipher(KEY, "wx_other").encrypt(b"hello")
    with pytest.raises(CallbackError) as err:
        CIPHER.decrypt(other)
    assert err.value.kind == "forbidden"


@pytest.mark.parametrize("bad", ["short", "!" * 43, "A" * 44])
def test_bad_aes_keys_are_refused_at_startup(bad: str) -> None:
    with pytest.raises(ValueError):
        decode_aes_key(bad)


def test_cdata_cannot_be_broken_out_of() -> None:
    assert cdata("a]]>b") == "<![CDATA[a]]]]><![CDATA[>b]]>"


async def test_memory_nonce_guard_retry_and_replay() -> None:
    clock = [1000.0]
    guard = MemoryNonceGuard(300, clock=lambda: clock[0])
    assert await guard.seen("main", "n1", "1000", "d1") == "new"
    assert await guard.seen("main", "n1", "1000", "d1") == "retry"
    assert await guard.seen("main", "n1", "1000", "d2") == "replay"
    assert await guard.seen("main", "n1", "1001", "d1") == "replay"
    assert await guard.seen("other", "n1", "1000", "d2") == "new"  # nonces are per account
    assert await guard_replay(guard, "main", "n1", "1000", "d1") is True
    assert await guard_replay(guard, "main", "n2", "1000", "d1") is False
    with pytest.raises(CallbackError) as err:
        await guard_replay(guard, "main", "n1", "1000", "evil")
    assert err.value.kind == "replay" and err.value.http_status == 403
    clock[0] += 601  # past twice the window: forgotten, and memory is freed
    assert await guard.seen("main", "n3", "1601", "d") == "new"
    assert len(guard) == 1


async def test_memory_nonce_guard_is_bounded() -> None:
    guard = MemoryNonceGuard(300, max_entries=10, clock=lambda: 0.0)
    for i in range(50):
        await guard.seen("main", f"n{i}", "0", "d")
    assert len(guard) <= 11


def test_dedup_key_and_epoch_helpers() -> None:
    assert dedup_key("o_1", "123", "subscribe") == "o_1:123:subscribe"
    assert dedup_key("a" * 300) != dedup_key("a" * 299 + "b")
    assert utc_from_epoch("1409735668").year == 2014
    for bad in (None, "", "12a", "²", "99999999999999"):
        with pytest.raises(CallbackError):
            utc_from_epoch(bad)
