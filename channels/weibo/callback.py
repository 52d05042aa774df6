"""Weibo fan-service (粉丝服务) push: signature check, JSON push parsing, passive JSON reply.

Differences from WeChat worth remembering: the signature is sha1 over sorted
(app_secret, timestamp, nonce) — the *secret* takes the place of the token — and the timestamp
is in milliseconds (platforms.md §3.5, vector V5). Bodies are JSON and not encrypted. Weibo has
no message id in the push: retries are recognised by sender + created_at (+ type and content).
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from channels.base import IncomingMessage, Platform
from channels.callback_errors import CallbackError, IdentifierLimits, bad_request, too_large
from channels.crypto import check_query_params, check_window, require_signed
from channels.replay import body_digest, dedup_key
from channels.weibo.limits import MESSAGE_MAX_CHARS

__all__ = ["KNOWN_TYPES", "CallbackError", "OpenedPush", "WeiboPush"]

KNOWN_TYPES = frozenset({"text", "event", "mention", "image", "voice", "position"})
#: Weibo: passive text "必须小于300个汉字", as an active fan-service message
MAX_REPLY_CHARS = MESSAGE_MAX_CHARS
_CREATED_AT = "%a %b %d %H:%M:%S %z %Y"  # "Mon Jul 16 18:09:20 +0800 2012"


@dataclass(frozen=True, slots=True)
class OpenedPush:
    fields: dict[str, Any]  # the decoded JSON push
    message: IncomingMessage | None  # None for a type we do not handle: answer "" and move on
    nonce: str
    timestamp: str
    body_digest: str


class WeiboPush:
    """One Weibo account's fan-service push endpoint."""

    def __init__(
        self,
        app_secret: str,
        window_s: int = 300,
        *,
        max_body: int = 65536,
        account_key: str = "",
        limits: IdentifierLimits | None = None,
    ) -> None:
        if not app_secret:
            raise ValueError("app_secret must not be empty")
        self._secret = app_secret
        self.window_s = window_s
        self.max_body = max_body
        self.account_key = account_key
        #: None only where nothing is stored (unit tests of the protocol)
        self.limits = limits

    def verify(
        self, signature: str | None, timestamp: str | None, nonce: str | None, now: float
    ) -> tuple[str, str]:
        """Check signature and (millisecond) timestamp; returns the validated (timestamp, nonce)."""
        ts, nonce_ok = check_query_params(timestamp, nonce)
        require_signed(signature, self._secret, ts, nonce_ok)
        check_window(ts, now, self.window_s, scale=1000.0)
        return ts, nonce_ok

    def verify_get(
        self,
        signature: str | None,
        timestamp: str | None,
        nonce: str | None,
        echostr: str | None,
        now: float,
    ) -> str:
        self.verify(signature, timestamp, nonce, now)
        if not echostr or len(echostr) > 256 or not echostr.isascii() or not echostr.isalnum():
            raise bad_request("echostr missing or malformed")
        return echostr

    def open_post(
        self, query: Mapping[str, str], body: bytes, now: float, *, account_key: str | None = None
    ) -> OpenedPush:
        if len(body) > self.max_body:
            raise too_large(len(body), self.max_body)
        ts, nonce = self.verify(
            query.get("signature"), query.get("timestamp"), query.get("nonce"), now
        )
        try:
            push = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request("push body is not JSON") from exc
        if not isinstance(push, dict):
            raise bad_request("push body is not a JSON object")
        key = self.account_key if account_key is None else account_key
        message = _message(push, key)
        if message is not None and self.limits is not None:
            data = push.get("data")
            event_key = data.get("key", "") if isinstance(data, dict) else ""
            self.limits.check(
                message,
                user_ids=[("receiver_id", str(push.get("receiver_id", "")))],
                keys=[("data.key", str(event_key))],
            )
        return OpenedPush(push, message, nonce, ts, body_digest(body))

    @staticmethod
    def reply_text(opened: OpenedPush, text: str) -> bytes:
        """Passive text reply; ``data`` is URL-encoded JSON, as the fan-service API wants."""
        if opened.message is None:
            return b""
        if len(text) >= MAX_REPLY_CHARS:
            text = text[: MAX_REPLY_CHARS - 2] + "…"
        data = urllib.parse.quote(json.dumps({"text": text}, ensure_ascii=False), safe="")
        reply = {
            "result": True,
            "receiver_id": str(opened.fields.get("sender_id", "")),
            "sender_id": str(opened.fields.get("receiver_id", "")),
            "type": "text",
            "data": data,
        }
        return json.dumps(reply, ensure_ascii=False).encode()

    @staticmethod
    def reply_empty() -> bytes:
        """An empty body: Weibo neither retries nor shows anything."""
        return b""


def _created_at(value: object) -> tuple[datetime, str]:
    if not isinstance(value, str):
        raise bad_request("created_at missing")
    try:
        when = datetime.strptime(value, _CREATED_AT).astimezone(UTC)
    except ValueError as exc:
        raise bad_request("created_at not in Weibo's format") from exc
    return when, str(int(when.timestamp()))


def _message(push: dict[str, Any], account_key: str) -> IncomingMessage | None:
    kind = push.get("type")
    if not isinstance(kind, str) or kind not in KNOWN_TYPES:  # a list or dict is unhashable
        return None
    sender, text = push.get("sender_id"), push.get("text", "")
    if not isinstance(sender, int | str) or isinstance(sender, bool) or not str(sender):
        raise bad_request("sender_id missing")
    if not isinstance(text, str):
        raise bad_request("text is not a string")
    created_at, epoch = _created_at(push.get("created_at"))
    raw_data = push.get("data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    event: str | None = None
    if kind == "event":
        event = str(data.get("subtype", "")) or "event"
        distinct = f"{event}:{data.get('key', '')}"
    else:
        distinct = hashlib.sha256(
            json.dumps(data, sort_keys=True).encode() + text.encode()
        ).hexdigest()[:16]
    return IncomingMessage(
        platform=Platform.WEIBO,
        account_key=account_key,
        dedup_key=dedup_key(str(sender), epoch, str(kind), distinct),
        sender=str(sender),
        created_at=created_at,
        msg_type=str(kind),
        text=text,
        event=event,
        raw={k: str(v) for k, v in push.items() if isinstance(v, str | int)},
    )
