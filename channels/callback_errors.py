"""The one error every platform callback raises, so the HTTP layer maps it without knowing why.

``message_zh`` is shown to humans (short Chinese); ``log_reason`` goes to the log (English) and
never carries secrets, message text or openids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from channels.base import IncomingMessage

CallbackErrorKind = Literal["forbidden", "bad_request", "too_large", "stale", "replay"]

#: the HTTP status the web layer answers with for each kind
HTTP_STATUS: dict[CallbackErrorKind, int] = {
    "forbidden": 403,
    "bad_request": 400,
    "too_large": 413,
    "stale": 403,
    "replay": 403,
}


class CallbackError(Exception):
    """A refused callback. ``kind`` decides the status; nothing else about it should leak."""

    def __init__(self, kind: CallbackErrorKind, message_zh: str, log_reason: str) -> None:
        super().__init__(log_reason)
        self.kind: CallbackErrorKind = kind
        self.message_zh = message_zh
        self.log_reason = log_reason

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.kind]

    def __repr__(self) -> str:
        return f"CallbackError({self.kind!r}, {self.log_reason!r})"


def forbidden(log_reason: str) -> CallbackError:
    return CallbackError("forbidden", "签名校验失败", log_reason)


def bad_request(log_reason: str) -> CallbackError:
    return CallbackError("bad_request", "请求格式错误", log_reason)


def too_large(size: int, limit: int) -> CallbackError:
    return CallbackError("too_large", "请求体过大", f"body of {size} bytes exceeds {limit}")


def stale(log_reason: str) -> CallbackError:
    return CallbackError("stale", "请求已过期", log_reason)


def replay(log_reason: str) -> CallbackError:
    return CallbackError("replay", "重复的请求", log_reason)


def too_long(name: str, length: int, limit: int) -> CallbackError:
    return CallbackError(
        "bad_request", "标识字段过长", f"{name} of {length} characters exceeds {limit}"
    )


@dataclass(frozen=True, slots=True)
class IdentifierLimits:
    """The longest identifiers the service can store. Channels know no database: the service
    derives these from its columns (``bot/platforms/identifier_limits.py``) and hands them to
    each callback, so an over-long one is refused at the edge with a 400 instead of failing
    the grouped commit it would have joined."""

    user_id: int  # FromUserName, ToUserName, Weibo sender_id / receiver_id
    key: int  # MsgId, EventKey, TaskId and the dedup key built from them
    msg_type: int
    event: int

    def check(
        self,
        message: IncomingMessage,
        *,
        user_ids: Iterable[tuple[str, str]] = (),
        keys: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Raise ``too_long`` for the first field beyond its limit; ``user_ids`` and ``keys``
        are further (name, value) pairs the message does not carry itself."""
        checks = [
            ("sender", message.sender, self.user_id),
            ("dedup key", message.dedup_key, self.key),
            ("msg type", message.msg_type, self.msg_type),
            ("event", message.event or "", self.event),
            *((name, value, self.user_id) for name, value in user_ids),
            *((name, value, self.key) for name, value in keys),
        ]
        for name, value, limit in checks:
            if len(value) > limit:
                raise too_long(name, len(value), limit)
