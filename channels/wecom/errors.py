"""WeCom errcodes mapped onto the closed error set (app-message sending only)."""

from __future__ import annotations

from channels.base import AuthExpired, ChannelError, Rejected, Transient

TOKEN_REFUSED = frozenset({40014, 42001})
ALL_RECIPIENTS_INVALID = 81013
IP_NOT_TRUSTED = 60020
#: frequency limits reset within the minute; anything else is a configuration problem
RATE_LIMITED = frozenset({45009, 45033, 45035})

_REJECTED = {
    ALL_RECIPIENTS_INVALID: "接收人全部无效（不在应用可见范围或账号不存在）",
    IP_NOT_TRUSTED: "服务器IP不在企业可信IP列表中",
    40056: "应用 agentid 无效",
    40058: "参数不合法",
    40008: "消息类型无效",
    48002: "应用无发送消息权限",
}
_AUTH = {40001: "应用 Secret 无效", 40013: "CorpID 无效", 40091: "应用 Secret 无效"}


def error_for(errcode: int, errmsg: str, endpoint: str) -> ChannelError:
    if errcode == -1:
        return Transient(f"企业微信系统繁忙（{endpoint}）", code=errcode)
    if errcode in RATE_LIMITED:
        return Transient(f"企业微信接口调用过于频繁（{endpoint}）", code=errcode, retry_after=60.0)
    if errcode in TOKEN_REFUSED:
        return AuthExpired(f"企业微信 access_token 无效或过期（{endpoint}）", code=errcode)
    if errcode in _AUTH:
        return AuthExpired(f"{_AUTH[errcode]}（{endpoint}）", code=errcode)
    reason = _REJECTED.get(errcode, f"企业微信拒绝请求：{errmsg}")
    return Rejected(f"{reason}（{endpoint}）", code=errcode)
