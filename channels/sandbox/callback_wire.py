"""What the follower and the reviewer phone share: XML rendering, the HTTP call, reply unwrapping.

The unwrapping is strict on purpose — a reply with a wrong MsgSignature or undecryptable payload
is exactly what the real WeChat client would reject ("该公众号暂时无法提供服务"), so tests see it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp

from channels.callback_errors import CallbackError
from channels.crypto import MessageCipher, cdata, signature_matches
from channels.xmlsafe import parse_fields


class ReplyError(ValueError):
    """The server's passive reply would be rejected by the platform."""


def render_fields(fields: Mapping[str, Any]) -> str:
    """WeChat-style XML children: text as CDATA, numbers bare, dicts nested, lists repeated."""
    parts: list[str] = []
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, Mapping):
                inner = render_fields(item)
            elif isinstance(item, int):
                inner = str(item)
            else:
                inner = cdata(str(item))
            parts.append(f"<{name}>{inner}</{name}>")
    return "".join(parts)


async def post_callback(
    session: aiohttp.ClientSession | None,
    url: str,
    query: Mapping[str, str],
    body: bytes | None,
    *,
    method: str = "POST",
) -> tuple[int, bytes]:
    """Send one callback the way the platform does (text/xml, no cookies) and read the answer."""
    headers = {"Content-Type": "text/xml"} if body is not None else {}
    if session is None:
        async with aiohttp.ClientSession() as own:
            return await post_callback(own, url, query, body, method=method)
    async with session.request(method, url, params=dict(query), data=body, headers=headers) as resp:
        return resp.status, await resp.read()


def unwrap_reply(raw: bytes, token: str, cipher: MessageCipher | None) -> dict[str, str]:
    """The fields of a passive reply; {} for "success" or an empty body."""
    if raw.strip() in (b"", b"success"):
        return {}
    try:
        _, fields = parse_fields(raw)
        encrypt = fields.get("Encrypt")
        if encrypt is None:
            return fields
        if cipher is None:
            raise ReplyError("encrypted reply but the simulator has no key")
        parts = (token, fields.get("TimeStamp", ""), fields.get("Nonce", ""), encrypt)
        if not signature_matches(fields.get("MsgSignature", ""), *parts):
            raise ReplyError("reply MsgSignature does not match")
        _, inner = parse_fields(cipher.decrypt(encrypt))
        return inner
    except CallbackError as exc:
        raise ReplyError(f"unreadable reply: {exc.log_reason}") from exc
