"""The citizen reply queue's rules: what a new message looks like, what the passive reply says,
how a message is routed after it, who may see and answer it, and transfers/closures.

Functions take an ``AsyncSession`` and never commit; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from review import reply_window
from review.errors import Conflict, Forbidden, NotFound, ValidationFailed
from review.models import CitizenMessage, Department, Person
from review.notify import notify
from review.replies_fast import GUIDE_PREFIX, InboxPolicy, new_row, passive_text
from review.routing import Topic, department_for
from review.states import MESSAGE_LABELS, MessageStatus
from review.store import audit
from review.store import inbox as store
from review.store import inbox_windows as windows
from review.timefmt import fmt

__all__ = ["GUIDE_PREFIX", "InboxPolicy", "new_row", "passive_text"]

M = MessageStatus


# ---- the slow path: routing -------------------------------------------------------------------


async def route(
    session: AsyncSession,
    msg: CitizenMessage,
    topic: Topic,
    policy: InboxPolicy,
    owner_dept_id: int,
    departments: list[tuple[int, str]] | None = None,
    heads: Mapping[int, int | None] | None = None,
) -> int | None:
    """Record topic, department and hot flag, move ``new → assigned``, tell the head at once
    when hot. The deadline stays the one the acknowledgement promised (``new_row``: the guessed
    topic's), so what is tracked is what the citizen was told; only a row stored without one
    gets the classified topic's. Returns the department of a newly assigned message (the caller
    announces new messages per department in one notification), else None."""
    if departments is None:
        departments = [
            (r[0], r[1]) for r in await session.execute(select(Department.id, Department.topics))
        ]
    dept_id = department_for(topic.topic, departments, owner_dept_id)
    deadline, note = msg.deadline_at, msg.deadline_note
    if msg.status == M.NEW and deadline is None:
        deadline, note = policy.deadline(msg.received_at, topic.topic)
    done = await store.mark_processed(
        session, msg.id, topic=topic.topic, department_id=dept_id, hot=topic.hot,
        deadline_at=deadline, deadline_note=note,
    )  # fmt: skip
    if not done or msg.status != M.NEW:
        return None
    await store.move(session, msg.id, M.ASSIGNED)
    if topic.elsewhere:
        await store.add_note(
            session, msg.id, None, f"可能非本局职责：{topic.elsewhere}（{topic.elsewhere_to}）"
        )
    if topic.hot:
        if heads is not None:
            head_id = heads.get(dept_id)
        else:
            head = await head_of(session, dept_id)
            head_id = head.id if head else None
        due = f"，答复期限 {fmt(deadline)}" if deadline else ""
        await notify(
            session, kind="message_hot", subject=f"message:{msg.id}", department_id=dept_id,
            person_id=head_id,
            text=f"热点留言 #{msg.id}（{topic.topic}），请立即关注{due}。",
            payload={"message_id": msg.id, "topic": topic.topic}, dedup_key=f"message:{msg.id}:hot",
        )  # fmt: skip
    return dept_id


async def announce_new(
    session: AsyncSession, dept_id: int, items: list[tuple[int, str, datetime | None]]
) -> None:
    """One notification per department for the messages just assigned to it (a burst of
    messages is one chat message, not hundreds)."""
    if not items:
        return
    shown = "、".join(f"#{i}（{t}）" for i, t, _ in items[:10])
    more = f" 等 {len(items)} 条" if len(items) > 10 else ""
    first_due = min((d for _, _, d in items if d is not None), default=None)
    due = f"，最早的答复期限 {fmt(first_due)}" if first_due else ""
    await notify(
        session, kind="message_new", subject=f"message:{items[0][0]}", department_id=dept_id,
        text=f"新留言 {shown}{more} 已分派到本处室{due}。",
        payload={"message_ids": [i for i, _, _ in items]},
        dedup_key=f"messages:new:{dept_id}:{items[0][0]}",
    )  # fmt: skip


async def head_of(session: AsyncSession, dept_id: int | None) -> Person | None:
    if dept_id is None:
        return None
    dept = await session.get(Department, dept_id)
    if dept is None or not dept.head_key:
        return None
    return await session.scalar(select(Person).where(Person.key == dept.head_key))


async def heads_by_department(session: AsyncSession) -> dict[int, int | None]:
    """Department id → its head's person id (None without one), in one query: routing asks
    for every department per batch, and two queries per department added up under load."""
    q = select(Department.id, Person.id).outerjoin(Person, Person.key == Department.head_key)
    return {dept_id: person_id for dept_id, person_id in (await session.execute(q)).all()}


# ---- who may see and act ----------------------------------------------------------------------


def reads_messages(person: Person) -> bool:
    """Whether ``person`` reads any citizen's message: admins, repliers and heads (their own
    department's, ``can_see``); an editor or an outside operator reads none, not even a list."""
    return person.has_role("admin") or person.has_role("replier") or person.has_role("head")


def can_see(person: Person, msg: CitizenMessage) -> bool:
    """A citizen's words and identity: admins, and the owning department's repliers and head —
    not every member of it (an editor or an outside operator there sees nothing)."""
    if person.has_role("admin"):
        return True
    return (
        msg.department_id is not None
        and person.department_id == msg.department_id
        and reads_messages(person)
    )


async def load_visible(session: AsyncSession, message_id: int, person: Person) -> CitizenMessage:
    msg = await store.get(session, message_id)
    if msg is None or msg.msg_type == "event":
        raise NotFound(f"留言 #{message_id} 不存在")
    if not can_see(person, msg):
        raise Forbidden(f"留言 #{message_id} 不属于您所在的处室")
    return msg


def require_replier(person: Person, msg: CitizenMessage) -> None:
    if msg.department_id is None or person.department_id != msg.department_id:
        raise Forbidden(f"只有承办处室的答复人可以处理留言 #{msg.id}")
    if not (person.has_role("replier") or person.has_role("head")):
        raise Forbidden("您没有答复留言的权限（需要 replier 角色）")


def label(status: str) -> str:
    try:
        return MESSAGE_LABELS[M(status)]
    except ValueError:
        return status


# ---- transfer, close, dismiss, answer ---------------------------------------------------------


async def transfer(
    session: AsyncSession, msg: CitizenMessage, person: Person, dept: Department, note: str
) -> None:
    """转办: hand the message to another department with a note; the deadline stays."""
    require_replier(person, msg)
    if not note.strip():
        raise ValidationFailed("转办需要填写说明", field="note")
    if dept.id == msg.department_id:
        raise ValidationFailed("留言已在该处室")
    if msg.status not in (M.NEW, M.ASSIGNED, M.OVERDUE):
        raise Conflict(f"留言 #{msg.id} 当前为「{label(msg.status)}」，不能转办")
    if not await store.move(session, msg.id, M.ASSIGNED, department_id=dept.id, assigned_to=None):
        raise Conflict(f"留言 #{msg.id} 刚被他人处理，请刷新后再试")
    await store.add_note(session, msg.id, person.id, f"转办至{dept.name}：{note.strip()}")
    await audit.append(
        session, actor=person.key, action="message.transferred", subject_type="message",
        subject_id=msg.id, detail={"from": msg.department_id, "to": dept.id},
    )  # fmt: skip
    await notify(
        session, kind="message_transferred", subject=f"message:{msg.id}", department_id=dept.id,
        text=f"留言 #{msg.id} 由{person.name}转办至本处室，请于 {fmt(msg.deadline_at)} 前答复。",
        payload={"message_id": msg.id},
    )  # fmt: skip


async def close(
    session: AsyncSession,
    msg: CitizenMessage,
    person: Person,
    reason: str,
    *,
    dismiss: bool = False,
) -> None:
    """Close an answered message, or dismiss one (spam, duplicate) with a reason."""
    require_replier(person, msg)
    if not reason.strip():
        raise ValidationFailed("请填写关闭原因", field="reason")
    target = M.DISMISSED if dismiss else M.CLOSED
    if not await store.move(session, msg.id, target, close_reason=reason.strip()):
        raise Conflict(f"留言 #{msg.id} 当前为「{label(msg.status)}」，不能关闭")
    await audit.append(
        session, actor=person.key, action=f"message.{target}", subject_type="message",
        subject_id=msg.id, detail={"reason": reason.strip()[:200]},
    )  # fmt: skip


async def window_problem(
    session: AsyncSession,
    msg: CitizenMessage,
    now: datetime,
    window: reply_window.WindowRule | None = None,
) -> str | None:
    """Why an answer by private message cannot go out now (``outside_48h``, ``over_count``), or
    None — also for comments and events, which open no window. The rule is
    ``review.reply_window``'s; the window is the latest of the citizen's messages on the account
    (a later message reopens it), ``window`` overrides the platform's rule."""
    rule = window or reply_window.rule_for(msg.platform, msg.msg_type)
    if rule is None:
        return None
    closes = await windows.latest_close(session, msg.account_id, msg.sender)
    if closes is None:  # rows stored before the window was recorded (migration 0008)
        last = await store.last_contact(session, msg.account_id, msg.sender)
        closes = None if last is None else last + rule.length
    sent = 0
    if closes is not None and rule.max_messages is not None:
        opened = reply_window.opened_at(rule, closes)
        sent = await store.replies_sent_since(session, msg.account_id, msg.sender, opened)
    return reply_window.problem(rule, closes, now, sent)
