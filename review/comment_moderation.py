"""WeChat article comments stored as citizen messages: who may 精选, un-精选 or delete one, and
the record of it. A comment's answer is public (the author's reply under it), so answering and
moderating stay with the repliers of the department it was routed to; deleting an abusive
comment needs a reason, kept with the comment and in the audit log. 精选 shows a comment to every
reader, so one with personal data in it (a mobile number, an address to the door) is refused; a
deleted comment leaves the open queue (已忽略, or 已关闭 once answered) and takes no answer.

Functions take an ``AsyncSession`` and never commit; the platform call happens between
``check`` (committed) and ``record`` (a new transaction).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review import replies
from review.checks import check_reply_text
from review.checks.personal_data import NAME as PERSONAL_DATA
from review.checks.types import Verdict
from review.errors import Conflict, ValidationFailed
from review.models import CitizenMessage, Person
from review.states import MessageStatus as M
from review.store import audit
from review.store import inbox as inbox_store
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


def elect_problem(msg: CitizenMessage) -> str | None:
    """Why the comment may not be 精选: the personal-data check answers pass, on its text."""
    found = check_reply_text(msg.text or "").get(PERSONAL_DATA)
    if found is None or found.verdict is not Verdict.BLOCK:
        return None
    return f"留言 #{msg.id} {found.reason}，不能精选；可删除或直接答复"


async def require_answerable(session: AsyncSession, msg: CitizenMessage) -> None:
    """A deleted comment is gone from the article: no answer can be posted under it."""
    if not is_article_comment(msg):
        return
    row = await store.state_of(session, msg.id)
    if row is not None and row.deleted_at is not None:
        raise Conflict(f"留言 #{msg.id} 对应的文章评论已删除，不能再答复")


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
    if action == "elect" and (problem := elect_problem(msg)):
        raise ValidationFailed(problem)
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
            await _deleted(session, person, msg, reason)
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


async def _deleted(session: AsyncSession, person: Person, msg: CitizenMessage, reason: str) -> None:
    """The deleted comment leaves the open queue: 已忽略, or 已关闭 when it was answered first
    (answered → dismissed is no transition); one already closed stays as it is. A note says
    why, for ``inbox show``."""
    why = f"评论已删除：{reason}"
    current = await inbox_store.get_for_update(session, msg.id)  # its status, held until commit
    if current is not None and current.status in (M.NEW, M.ASSIGNED, M.OVERDUE, M.ANSWERED):
        await replies.close(session, current, person, why, dismiss=current.status != M.ANSWERED)
    await inbox_store.add_note(session, msg.id, person.id, why)
