"""The one error every platform callback raises, so the HTTP layer maps it without knowing why.

``message_zh`` is shown to humans (short Chinese); ``log_reason`` goes to the log (English) and
never carries secrets, message text or openids.
"""

from __future__ import annotations

from typing import Literal

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
