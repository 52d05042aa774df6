"""WeChat article comments, staff side: the answer in place (``comment/reply/add``) and 精选,
un-精选, deletion — checked and committed, then the platform call with no transaction open, then
the outcome recorded and audited (``review.comment_moderation``).
"""

from __future__ import annotations

import logging
from typing import Any

from bot.inbox.outcome import Outcome
from bot.services import Services
from channels.base import ChannelError, Rejected
from channels.wechat.channel import WeChatChannel
from channels.wechat.comments import WeChatComments, parse_ref
from review import comment_moderation as moderation
from review import replies
from review.errors import NotFound
from review.models import CitizenMessage
from review.store import directory
from review.store import inbox as inbox_store
from review.store import wechat_comments as store

log = logging.getLogger("newmedia.inbox")


def comments_of(services: Services, account_key: str) -> WeChatComments | None:
    channel = services.channels.get(account_key)
    return channel.comments if isinstance(channel, WeChatChannel) else None


async def reply_in_place(
    services: Services, account_key: str, msg: CitizenMessage, text: str
) -> tuple[str, str | None]:
    """The answer as the author's reply under the comment: (status, error) as ``_deliver``."""
    comments = comments_of(services, account_key)
    if comments is None:
        return "failed", "账号未接入"
    try:
        article, comment_id = parse_ref(msg.remote_ref or "")
        await comments.reply(article, comment_id, text)
    except Rejected as exc:
        log.info("comment answer to message %d rejected: code %s", msg.id, exc.code)
        return "failed", f"平台拒绝：{exc.message}"
    except ChannelError as exc:
        log.info("comment answer to message %d not sent: %s", msg.id, exc.kind)
        return "failed", "平台暂时不可用"
    return "sent", None


def route_of(msg: CitizenMessage) -> str:
    """The route a WeChat answer takes: in place under an article comment, else a
    customer-service message."""
    return "comment" if moderation.is_article_comment(msg) else "cs"


async def moderate(
    services: Services, message_id: int, person_key: str, action: str, reason: str = ""
) -> Outcome:
    """精选 (elect), 取消精选 (unelect) or 删除 (delete, reason required) one comment."""
    async with services.sessions.begin() as session:
        person = await directory.person_by_name_or_key(session, person_key)
        if person is None or not person.active:
            raise NotFound(f"未知的人员「{person_key}」")
        msg = await replies.load_visible(session, message_id, person)
        reason = await moderation.check(session, person, msg, action, reason)
        account = await directory.account_by_id(session, msg.account_id)
        assert account is not None
    comments = comments_of(services, account.key)
    error = None
    if comments is None:
        error = "账号未接入"
    else:
        try:
            article, comment_id = parse_ref(msg.remote_ref or "")
            calls = {"elect": comments.elect, "unelect": comments.unelect}
            await calls.get(action, comments.delete)(article, comment_id)
        except Rejected as exc:
            error = f"平台拒绝：{exc.message}"
        except ChannelError as exc:
            log.info("comment %s of message %d not done: %s", action, msg.id, exc.kind)
            error = "平台暂时不可用"
    async with services.sessions.begin() as session:
        await moderation.record(session, person, msg, action, reason, services.clock(), error=error)
    what = moderation.ACTIONS[action]
    if error is not None:
        return Outcome(f"留言 #{msg.id} 未能{what}（{error}），请稍后重试或联系管理员。", False)
    return Outcome(f"留言 #{msg.id} 已{what}。")


async def state_text(session: Any, msg: CitizenMessage) -> str | None:
    """精选 / 已删除（原因）, for the console and chat; None for a message that is no comment."""
    if not moderation.is_article_comment(msg):
        return None
    row = await store.state_of(session, msg.id)
    if row is not None and row.deleted_at is not None:
        return f"已删除（{row.delete_reason or '无原因'}）"
    return "精选" if row is not None and row.elected else "普通留言"


async def console_state(services: Services, message_id: int) -> str | None:
    """``state_text`` of a message the caller was already allowed to see."""
    async with services.sessions() as session:
        msg = await inbox_store.get(session, message_id)
        return await state_text(session, msg) if msg is not None else None
