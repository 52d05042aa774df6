"""Weibo ``error_code`` values mapped onto the closed error set.

The code arrives as a number or, from some gateways, as a string; both are accepted.
"""

from __future__ import annotations

from typing import Any

from channels.base import AuthExpired, ChannelError, NotSupported, Rejected, Transient

NO_SAFE_DOMAIN = 10017
API_GONE = 10014
TOKEN_CODES = frozenset({21327, 21332, 21314, 21315, 21316, 21317, 21319, 21501})
RATE_LIMITS = frozenset({10022, 10023, 10024})
REPEAT_CONTENT = 20019
TEXT_TOO_LONG = 20012
NOT_FOUND = 20101
#: the fan service refuses a private message when the account has no quota for the citizen (no
#: message, follow or menu click in the last 48 h). The code is the sandbox's: the real one is
#: not documented on the pages found (platforms.md §3.5) — check it on the first refusal.
NO_MESSAGE_QUOTA = 26001
#: Weibo's limits reset hourly; ask the caller to wait that long unless told otherwise
RATE_LIMIT_WAIT = 3600.0

_REJECTED = {
    NO_SAFE_DOMAIN: "微博正文须包含应用安全域名下的链接",
    TEXT_TOO_LONG: "微博正文超过140字",
    REPEAT_CONTENT: "与最近一条微博内容重复",
    NOT_FOUND: "目标微博不存在或已删除",
    20201: "目标评论不存在",
    NO_MESSAGE_QUOTA: "已超出微博粉丝服务 48 小时私信回复时限",
    10016: "缺少必填参数",
}


def code_of(data: dict[str, Any]) -> int | None:
    """The error code of a Weibo body, or None for a success body."""
    raw = data.get("error_code")
    if raw is None:
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return -1


def error_for(
    code: int, error: str, endpoint: str, *, status: int = 400, retry_after: float | None = None
) -> ChannelError:
    if code in RATE_LIMITS:
        wait = retry_after if retry_after is not None else RATE_LIMIT_WAIT
        return Transient(f"微博接口调用频率超限（{endpoint}）", code=code, retry_after=wait)
    if code in TOKEN_CODES:
        return AuthExpired(f"微博授权已过期或无效，请重新授权（{endpoint}）", code=code)
    if code == API_GONE:
        return NotSupported(f"应用无此接口权限（{endpoint}）", code=code)
    if status >= 500 or code in (10001, 10009, 10010):  # system error / busy / job expired
        return Transient(f"微博系统错误（{endpoint}）", code=code)
    reason = _REJECTED.get(code, f"微博拒绝请求：{error}")
    return Rejected(f"{reason}（{endpoint}）", code=code)
