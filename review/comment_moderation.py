"""WeChat article comments stored as citizen messages: who may 精选, un-精选 or delete one, and
the record of it. A comment's answer is public (the author's reply under it), so answering and
moderating stay with the repliers of the department it was routed to; deleting an abusive
comment needs a reason, kept with the comment and in the audit log.

Functions take an ``AsyncSession`` and never commit; the platform call happens between
``check`` (committed) and ``record`` (a new transaction).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review import replies
from review.errors import Conflict, ValidationFailed
from review.models import CitizenMessage, Person
from review.store import audit
from review.store import wechat_comments as store

#: action → what staff read
ACTIONS = {"elect": "精选", "unelect": "取消精选", "delete": "删除"}
MAX_REASON = 200


def is_article_comment(msg: CitizenMessage) -> bool:
    """A comment under a WeChat article: answered in place, not by customer-service message."""
    return msg.platform == "wechat" and msg.msg_type == "comment"


def require_comment(msg: CitizenMessage) -> None:
    if not is_article_comment(msg):
        raise ValidationFailed(f"留言 #{msg.id} 不是公众号文章下的留言，不能精选或删除")


async def check(
    session: AsyncSession, person: Person, msg: CitizenMessage, action: str, reason: str
) -> str:
    """Refuse what may not be done; the reason, trimmed."""
    if action not in ACTIONS:
        raise ValidationFailed(f"未知的留言操作「{action}」，可选：elect、unelect、delete")
    replies.require_replier(person, msg)
    require_comment(msg)
    reason = reason.strip()
    if action == "delete" and not reason:
        raise ValidationFailed(
            f"删除留言 #{msg.id} 须写明原因（如：含辱骂内容），请补充原因后重试", field="reason"
        )
    if len(reason) > MAX_REASON:
        raise ValidationFailed(f"原因不能超过 {MAX_REASON} 字", field="reason")
    row = await store.state_of(session, msg.id)
    if row is not None and row.deleted_at is not None:
        raise Conflict(f"留言 #{msg.id} 已于此前删除，不能再{ACTIONS[action]}")
    elected = row is not None and row.elected
    if action == "elect" and elected:
        raise Conflict(f"留言 #{msg.id} 已是精选留言")
    if action == "unelect" and not elected:
        raise Conflict(f"留言 #{msg.id} 不是精选留言，无需取消")
    return reason


async def record(
    session: AsyncSession,
    person: Person,
    msg: CitizenMessage,
    action: str,
    reason: str,
    now: datetime,
    *,
    error: str | None = None,
) -> None:
    """The platform carried it out (``error`` None) or refused: audited either way."""
    if error is None:
        if action == "delete":
            await store.record(session, msg.id, deleted_at=now, reason=reason)
        else:
            await store.record(session, msg.id, elected=action == "elect")
    detail: dict[str, str] = {"reason": reason} if reason else {}
    if error is not None:
        detail["error"] = error
    suffix = "" if error is None else "_failed"
    await audit.append(
        session, actor=person.key, action=f"message.comment_{action}{suffix}",
        subject_type="message", subject_id=msg.id, detail=detail,
    )  # fmt: skip
