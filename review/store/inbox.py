"""Every query of the citizen reply queue: idempotent inserts, guarded status changes, cursors.

The callback's fast path (nonces and idempotent message inserts, in batches) lives in
:mod:`review.store.inbox_batch`; its session statements ``remember_nonces`` and
``insert_messages`` (:mod:`review.store.inbox_session`) and ``StoredMessage`` are re-exported here
for the other callers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import CitizenMessage, Cursor, Department, MessageReply, Note, SeenNonce, utcnow
from review.states import MessageStatus, sources_for
from review.store.inbox_rows import StoredMessage
from review.store.inbox_session import dialect_insert, insert_messages, remember_nonces
from review.store.transitions import apply, transition

__all__ = ["StoredMessage", "insert_messages", "remember_nonces"]

OPEN_STATES = ("new", "assigned", "overdue")


async def prune_nonces(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(SeenNonce).where(SeenNonce.seen_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def get(session: AsyncSession, message_id: int) -> CitizenMessage | None:
    return await session.get(CitizenMessage, message_id)


async def get_for_update(session: AsyncSession, message_id: int) -> CitizenMessage | None:
    """The row, locked until the transaction ends (PostgreSQL; SQLite's write lock is whole)."""
    return await session.scalar(
        select(CitizenMessage).where(CitizenMessage.id == message_id).with_for_update()
    )


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[CitizenMessage]:
    q = select(CitizenMessage).where(CitizenMessage.id.in_(list(ids))).order_by(CitizenMessage.id)
    return list((await session.scalars(q)).all())


async def department_topics(session: AsyncSession) -> list[tuple[int, str]]:
    """(department id, space-separated topics) for routing."""
    return [(r[0], r[1]) for r in await session.execute(select(Department.id, Department.topics))]


async def list_messages(
    session: AsyncSession,
    *,
    states: Iterable[str] | None = None,
    department_id: int | None = None,
    limit: int = 100,
    now: datetime | None = None,
) -> list[CitizenMessage]:
    """Newest first; with ``now`` the open queue's order: open reply windows first, the one
    closing soonest on top, then the rest by deadline (none last)."""
    q = select(CitizenMessage).limit(limit)
    if now is None:
        q = q.order_by(CitizenMessage.id.desc())
    else:
        closes = CitizenMessage.reply_window_closes_at
        is_open = and_(closes.is_not(None), closes > now)
        q = q.order_by(
            case((is_open, 0), else_=1),
            case((is_open, closes), else_=None).asc().nulls_last(),
            CitizenMessage.deadline_at.asc().nulls_last(),
            CitizenMessage.id,
        )
    q = q.where(CitizenMessage.msg_type != "event")
    if states is not None:
        q = q.where(CitizenMessage.status.in_(list(states)))
    if department_id is not None:
        q = q.where(CitizenMessage.department_id == department_id)
    return list((await session.scalars(q)).all())


async def unprocessed_ids(session: AsyncSession, limit: int = 100) -> list[int]:
    q = (
        select(CitizenMessage.id)
        .where(CitizenMessage.processed.is_(False))
        .order_by(CitizenMessage.id)
        .limit(limit)
    )
    return list((await session.scalars(q)).all())


async def mark_processed(session: AsyncSession, message_id: int, **values: Any) -> bool:
    """Guarded: only the first processor of a message records its routing (replica-safe)."""
    result = await session.execute(
        update(CitizenMessage)
        .where(CitizenMessage.id == message_id, CitizenMessage.processed.is_(False))
        .values(processed=True, **values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def move(
    session: AsyncSession, message_id: int, target: MessageStatus, **values: Any
) -> bool:
    """``UPDATE … WHERE status IN (legal sources)``; False when someone else moved it first."""
    stmt = transition(CitizenMessage, target, *sources_for(target)).where(
        CitizenMessage.id == message_id
    )
    return bool(await apply(session, stmt.values(**values)))


async def set_fields(session: AsyncSession, message_id: int, **values: Any) -> None:
    await session.execute(
        update(CitizenMessage).where(CitizenMessage.id == message_id).values(**values)
    )


async def due_for_reminder(
    session: AsyncSession, before: datetime, limit: int = 100
) -> list[CitizenMessage]:
    q = (
        select(CitizenMessage)
        .where(
            CitizenMessage.status.in_(("new", "assigned")),
            CitizenMessage.deadline_at.is_not(None),
            CitizenMessage.deadline_at <= before,
            CitizenMessage.reminded_at.is_(None),
            CitizenMessage.processed.is_(True),
        )
        .order_by(CitizenMessage.deadline_at)
        .limit(limit)
    )
    return list((await session.scalars(q)).all())


async def past_deadline(
    session: AsyncSession, now: datetime, limit: int = 100
) -> list[CitizenMessage]:
    q = (
        select(CitizenMessage)
        .where(
            CitizenMessage.status.in_(("new", "assigned")),
            CitizenMessage.deadline_at.is_not(None),
            CitizenMessage.deadline_at < now,
            CitizenMessage.processed.is_(True),
        )
        .order_by(CitizenMessage.deadline_at)
        .limit(limit)
    )
    return list((await session.scalars(q)).all())


# ---- replies and notes ----------------------------------------------------------------------


async def add_reply(
    session: AsyncSession,
    message_id: int,
    person_id: int | None,
    text: str,
    *,
    route: str | None = None,
) -> MessageReply:
    row = MessageReply(
        message_id=message_id, person_id=person_id, text=text, status="queued", route=route
    )
    session.add(row)
    await session.flush()
    return row


async def finish_reply(
    session: AsyncSession, reply_id: int, status: str, error: str | None = None
) -> None:
    sent_at = utcnow() if status == "sent" else None
    await session.execute(
        update(MessageReply)
        .where(MessageReply.id == reply_id, MessageReply.status == "queued")
        .values(status=status, error=error, sent_at=sent_at)
    )


async def replies_for(session: AsyncSession, message_id: int) -> list[MessageReply]:
    q = select(MessageReply).where(MessageReply.message_id == message_id).order_by(MessageReply.id)
    return list((await session.scalars(q)).all())


async def last_contact(session: AsyncSession, account_id: int, sender: str) -> datetime | None:
    """When this citizen last wrote to the account (opens WeChat's 48 h window; a comment
    under an article opens none)."""
    return await session.scalar(
        select(func.max(CitizenMessage.received_at)).where(
            CitizenMessage.account_id == account_id,
            CitizenMessage.sender == sender,
            CitizenMessage.msg_type != "comment",
        )
    )


async def replies_sent_since(
    session: AsyncSession, account_id: int, sender: str, since: datetime
) -> int:
    """Customer-service messages already sent (or in flight) to this citizen since ``since``."""
    q = (
        select(func.count(MessageReply.id))
        .join(CitizenMessage, CitizenMessage.id == MessageReply.message_id)
        .where(
            CitizenMessage.account_id == account_id,
            CitizenMessage.sender == sender,
            MessageReply.status.in_(("sent", "queued")),
            MessageReply.created_at >= since,
        )
    )
    return int(await session.scalar(q) or 0)


async def add_note(
    session: AsyncSession, message_id: int, person_id: int | None, text: str
) -> Note:
    row = Note(message_id=message_id, person_id=person_id, text=text)
    session.add(row)
    await session.flush()
    return row


async def notes_for(session: AsyncSession, message_id: int) -> list[Note]:
    q = select(Note).where(Note.message_id == message_id).order_by(Note.id)
    return list((await session.scalars(q)).all())


# ---- polling cursors ------------------------------------------------------------------------


async def cursor(session: AsyncSession, key: str) -> Cursor | None:
    return await session.get(Cursor, key)


async def _ensure_cursor(session: AsyncSession, key: str) -> None:
    """The cursor row exists: every replica's first poll may race to create it."""
    stmt = dialect_insert(session, Cursor).values(key=key, value="", calls_today=0, day="")
    await session.execute(stmt.on_conflict_do_nothing(index_elements=[Cursor.key]))


async def spend_call(session: AsyncSession, key: str, day: str, budget: int) -> bool:
    """Count one API call against today's budget; False when the budget is spent. Guarded in
    SQL, so replicas polling at once neither collide nor overspend."""
    await _ensure_cursor(session, key)
    await session.execute(
        update(Cursor).where(Cursor.key == key, Cursor.day != day).values(day=day, calls_today=0)
    )
    spent = await session.execute(
        update(Cursor)
        .where(Cursor.key == key, Cursor.calls_today < budget)
        .values(calls_today=Cursor.calls_today + 1)
    )
    return bool(spent.rowcount)  # type: ignore[attr-defined]


async def save_cursor(session: AsyncSession, key: str, value: str) -> None:
    await _ensure_cursor(session, key)
    await session.execute(update(Cursor).where(Cursor.key == key).values(value=value))
