"""Queries of the reply window (``review.reply_window`` holds the rule): the latest window of a
citizen, reopening their other messages when they write again, the messages whose window closes
soon, and the guarded claim of the automatic interim reply.

Every write is guarded in SQL, so a tick firing twice or on two replicas changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import CitizenMessage, Department, MessageReply

CM = CitizenMessage
#: still waiting for an answer (an interim reply does not count as one)
UNANSWERED = ("new", "assigned", "overdue")
#: a message whose window matters: it may still be answered by private message
REOPENABLE = (*UNANSWERED, "answered")
#: a reopened window closes at least this much later than the recorded one
SLACK = timedelta(minutes=10)


async def latest_close(session: AsyncSession, account_id: int, sender: str) -> datetime | None:
    """When the window of this citizen's latest private message on the account closes."""
    return await session.scalar(
        select(func.max(CM.reply_window_closes_at)).where(
            CM.account_id == account_id, CM.sender == sender
        )
    )


async def reopen(session: AsyncSession, latest: Mapping[tuple[int, str], datetime]) -> int:
    """The citizen wrote again: their other answerable messages on that account take the window
    of the latest one. One read for the whole batch, then an update per message guarded by
    "only later", so replicas and ticks in any order agree. A window less than ``SLACK`` later
    is left alone (it errs on the early side): a citizen writing many messages in a row costs
    one update per message per ``SLACK``, not one per message pair. Returns those reopened."""
    if not latest:
        return 0
    senders = sorted({sender for _, sender in latest})
    rows = await session.execute(
        select(CM.id, CM.account_id, CM.sender, CM.reply_window_closes_at).where(
            CM.sender.in_(senders),
            CM.status.in_(REOPENABLE),
            CM.reply_window_closes_at < max(latest.values()) - SLACK,
        )
    )
    changed = 0
    for msg_id, account_id, sender, closes in rows.all():
        target = latest.get((account_id, sender))
        if target is None or closes is None or closes >= target - SLACK:
            continue
        result = await session.execute(
            update(CM)
            .where(CM.id == msg_id, CM.reply_window_closes_at < target - SLACK)
            .values(reply_window_closes_at=target)
        )
        changed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return changed


async def closing_unanswered(
    session: AsyncSession, now: datetime, until: datetime, limit: int = 200
) -> list[CitizenMessage]:
    """Routed, unanswered messages whose window is open and closes by ``until``, soonest first."""
    q = (
        select(CM)
        .where(
            CM.status.in_(UNANSWERED),
            CM.processed.is_(True),
            CM.reply_window_closes_at > now,
            CM.reply_window_closes_at <= until,
        )
        .order_by(CM.reply_window_closes_at, CM.id)
        .limit(limit)
    )
    return list((await session.scalars(q)).all())


async def claim_interim(session: AsyncSession, message_id: int, now: datetime) -> bool:
    """Take the interim reply of a message: once, while it is unanswered and its window open.
    Committed before the platform is called; whoever loses the race sends nothing."""
    result = await session.execute(
        update(CM)
        .where(
            CM.id == message_id,
            CM.interim_sent_at.is_(None),
            CM.status.in_(UNANSWERED),
            CM.reply_window_closes_at > now,
        )
        .values(interim_sent_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def release_interim(session: AsyncSession, message_id: int, claimed_at: datetime) -> bool:
    """Give a claim back after a transient failure (only the claim this tick took)."""
    result = await session.execute(
        update(CM)
        .where(CM.id == message_id, CM.interim_sent_at == claimed_at)
        .values(interim_sent_at=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def interim_attempts(session: AsyncSession, message_id: int) -> int:
    q = select(func.count(MessageReply.id)).where(
        MessageReply.message_id == message_id, MessageReply.route == "interim"
    )
    return int(await session.scalar(q) or 0)


async def department_names(session: AsyncSession) -> dict[int, str]:
    return {i: n for i, n in (await session.execute(select(Department.id, Department.name))).all()}
