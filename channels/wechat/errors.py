"""WeChat OA errcodes mapped onto the closed error set.

The reply queue keys on ``code``: 45015 means "outside the 48 h window", 45047 "over 5 messages",
so those two keep the platform code unchanged and get their own Chinese wording.
"""

from __future__ import annotations

from typing import Any

from channels.base import AuthExpired, ChannelError, NotSupported, Rejected, Transient

#: codes that mean "this token is not (any longer) good": refresh once, retry once
TOKEN_REFUSED = frozenset({40001, 40014, 42001})
SYSTEM_BUSY = -1
DAILY_QUOTA = 45009
OUTSIDE_WINDOW = 45015
OVER_COUNT = 45047
IP_NOT_WHITELISTED = 40164
UNAUTHORIZED = 48001
DRAFT_CHECK_FAILED = 53503
CLIENTMSGID_EXISTS = 45065
#: article comments (platforms.md §2.5a)
COMMENT_NO_PRIVILEGE = 88000
COMMENT_NO_ARTICLE = 88001
COMMENT_LIMITED = 88002
#: statistics (datacube): a malformed date, a span longer than the API takes or not yet over
DATE_FORMAT = 61500
DATE_RANGE = 61501

_REJECTED: dict[int, str] = {
    DAILY_QUOTA: "今日接口调用或群发次数已达上限",
    OUTSIDE_WINDOW: "超出48小时客服消息窗口，或用户已取消关注",
    OVER_COUNT: "本窗口内客服消息已达5条上限",
    IP_NOT_WHITELISTED: "服务器IP不在公众号IP白名单内",
    UNAUTHORIZED: "公众号未获得该接口权限",
    DRAFT_CHECK_FAILED: "草稿未通过发布检查",
    53504: "需前往公众平台官网使用草稿",
    53505: "请手动保存成功后再发表",
    89503: "调用IP存在风险，需管理员确认",
    COMMENT_NO_PRIVILEGE: "公众号没有留言功能权限",
    COMMENT_NO_ARTICLE: "该文章不存在或未开启留言（msg_data_id 无效）",
    COMMENT_LIMITED: "该文章因安全原因被限制留言",
    DATE_FORMAT: "统计日期格式有误",
    DATE_RANGE: "统计日期范围超出接口限制（跨度过长或晚于昨天）",
}
_AUTH = {40125: "AppSecret 无效", 40013: "AppID 无效", 41004: "缺少 AppSecret"}
_NOT_SUPPORTED = {45106: "该接口已下线"}


def error_for(errcode: int, errmsg: str, endpoint: str) -> ChannelError:
    """The exception for a non-zero errcode; token codes become AuthExpired (after the retry)."""
    # errmsg is the platform's English text with a request id; it carries no secret.
    if errcode == SYSTEM_BUSY:
        return Transient(f"微信系统繁忙（{endpoint}）", code=errcode)
    if errcode in TOKEN_REFUSED:
        return AuthExpired(f"微信 access_token 无效或过期（{endpoint}）", code=errcode)
    if errcode in _AUTH:
        return AuthExpired(f"{_AUTH[errcode]}（{endpoint}）", code=errcode)
    if errcode in _NOT_SUPPORTED:
        return NotSupported(f"{_NOT_SUPPORTED[errcode]}（{endpoint}）", code=errcode)
    reason = _REJECTED.get(errcode, f"微信拒绝请求：{errmsg}")
    return Rejected(f"{reason}（{endpoint}）", code=errcode)


def errcode_of(data: dict[str, Any]) -> int:
    """WeChat omits errcode on success for some endpoints; treat a missing one as 0."""
    raw = data.get("errcode", 0)
    try:
        return int(raw)
    except (TypeError, ValueError):
        return SYSTEM_BUSY
