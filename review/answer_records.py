"""Recording that a route delivered a citizen's answer: a customer-service message sent, a phone
call the replier made. (A public answer is recorded when its post is published:
``review.public_answers``.) Each is a reply row with its route, the message answered with
``answer_route`` and ``answered_at``, and an audit event — in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review import answer_routes as routes
from review.errors import Conflict, ValidationFailed
from review.models import CitizenMessage, Person
from review.states import MESSAGE_LABELS, MessageStatus
from review.store import audit
from review.store import public_answers as store

#: a call may be recorded on an open message, or after an earlier answer (a follow-up call)
CALLABLE = (
    MessageStatus.NEW, MessageStatus.ASSIGNED, MessageStatus.OVERDUE, MessageStatus.ANSWERED,
)  # fmt: skip


async def answered(
    session: AsyncSession,
    msg: CitizenMessage,
    person: Person,
    route: str,
    reply_id: int,
    at: datetime,
) -> bool:
    """The message answered by ``route`` (the reply row already records it); audited."""
    done = await store.mark_answered(session, msg.id, route, at, assigned_to=person.id)
    if done:
        await audit.append(
            session, actor=person.key, action="message.answered", subject_type="message",
            subject_id=msg.id, detail={"route": route, "reply_id": reply_id},
        )  # fmt: skip
    return done


async def record_call(
    session: AsyncSession, msg: CitizenMessage, person: Person, summary: str, now: datetime
) -> int:
    """A phone call the replier made, with what was said: the message is answered (route
    ``phone``). Returns the reply row's id. The caller has checked ``person`` answers ``msg``."""
    if problem := routes.text_problem(summary, "通话摘要"):
        raise ValidationFailed(f"{problem}（写明致电时间和答复要点）", field="text")
    if msg.status not in CALLABLE:
        label = MESSAGE_LABELS.get(MessageStatus(msg.status), msg.status)
        raise Conflict(f"留言 #{msg.id} 当前为「{label}」，不能再记录电话答复")
    reply = await store.add_reply(
        session, msg.id, person.id, summary.strip(), "phone", routes.PHONE_RECORDED, sent_at=now
    )
    if not await answered(session, msg, person, "phone", reply.id, now):
        raise Conflict(f"留言 #{msg.id} 刚被他人办结，电话答复未记录，请刷新后查看")
    return reply.id
