"""How an answer reaches a citizen on Weibo, and what Weibo refuses on the way.

A comment or an @mention is answered in public, under the comment (``comments/reply``) or the
status (``comments/create``): route ``comment``, at most 140 字 — a longer answer is refused
before anything is stored, with the public-answer route offered instead of cutting it. A
fan-service private message is answered by ``messages/reply``: route ``cs``, under 300 字,
inside the 48 h the citizen opened (``review.replies.window_problem`` asks that beforehand).
``bot/inbox/service.py`` ``send_answer`` asks these; the reply gate runs there for every answer.
"""

from __future__ import annotations

import math

from channels.base import ChannelError, Rejected, Transient
from channels.weibo.errors import NO_MESSAGE_QUOTA, RATE_LIMITS
from channels.weibo.inbound import PUBLIC_TYPES, reply_address
from channels.weibo.limits import MAX_CHARS, MESSAGE_MAX_CHARS
from review.models import CitizenMessage

#: ``message_replies.error`` when the fan service refused for the window (service.py ``WHY``)
OUTSIDE_WINDOW = "weibo_48h"
WHY = {OUTSIDE_WINDOW: "已超出微博粉丝服务 48 小时私信回复时限（或网民已取消关注）"}

TOO_LONG_COMMENT = (
    "答复共 {n} 字，微博评论回复最多 {limit} 字，未发送。请精简到 {limit} 字以内后重新答复，"
    "或改用「公开答复 #{id}」：在本账号发布留言答复，全文不受评论字数限制。"
)
TOO_LONG_MESSAGE = (
    "答复共 {n} 字，微博私信须少于 {limit} 字，未发送。请精简后重新答复，"
    "或改用「公开答复 #{id}」发布留言答复。"
)
RATE_LIMITED = "微博评论发送过于频繁，已达平台每小时上限；答复已保存，请约 {minutes} 分钟后重新答复"


def route(msg: CitizenMessage) -> str:
    """``comment`` for what is answered in public under the item, ``cs`` for private messages."""
    return "comment" if msg.msg_type in PUBLIC_TYPES else "cs"


def length_problem(msg: CitizenMessage, text: str) -> str | None:
    """Why this answer is too long for its route, in Chinese, or None."""
    if route(msg) == "comment":
        if len(text) > MAX_CHARS:
            return TOO_LONG_COMMENT.format(n=len(text), limit=MAX_CHARS, id=msg.id)
    elif len(text) >= MESSAGE_MAX_CHARS:
        return TOO_LONG_MESSAGE.format(n=len(text), limit=MESSAGE_MAX_CHARS, id=msg.id)
    return None


def address(msg: CitizenMessage) -> tuple[str, str | None]:
    """``(to, ref)`` for ``WeiboChannel.reply``."""
    return reply_address(msg.msg_type, msg.dedup_key, msg.sender, msg.remote_ref)


def failure(exc: ChannelError) -> tuple[str, str] | None:
    """The recorded (status, error) for a refusal Weibo-specific enough to say more than
    "平台拒绝": the hourly comment limit, the fan service's closed window. None: the usual."""
    if isinstance(exc, Rejected) and exc.code == NO_MESSAGE_QUOTA:
        return "outside_window", OUTSIDE_WINDOW
    if isinstance(exc, Transient) and exc.code in RATE_LIMITS:
        minutes = max(1, math.ceil((exc.retry_after or 3600.0) / 60))
        return "failed", RATE_LIMITED.format(minutes=minutes)
    return None
