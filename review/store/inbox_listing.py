"""The inbox list with its filters and pages (the console's 留言 page): one query for the rows,
one for the count, both in the reader's scope.

The order is the open queue's (``review.store.inbox.list_messages``): open reply windows first,
the one closing soonest on top, then by deadline. "Overdue" is what the deadline tick will say:
marked 已超期, or still open past its deadline before the tick ran. "Window closing" is a reply
window (``review.reply_window``, stamped on the row) still open and closing within the hours given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import CitizenMessage, Department
from review.states import MessageStatus

M = MessageStatus


@dataclass(frozen=True)
class InboxFilter:
    """What the list shows. ``department_id`` None: every department (admins only: the caller
    puts the reader's own department here for everyone else)."""

    states: Sequence[str]
    department_id: int | None = None
    topic: str | None = None
    hot: bool = False
    overdue: bool = False
    #: reply window still open and closing within this long (None: not filtered)
    closing_within: timedelta | None = None


def _where(f: InboxFilter, now: datetime) -> list[Any]:
    m = CitizenMessage
    where: list[Any] = [m.msg_type != "event", m.status.in_(list(f.states))]
    if f.department_id is not None:
        where.append(m.department_id == f.department_id)
    if f.topic:
        where.append(m.topic == f.topic)
    if f.hot:
        where.append(m.hot.is_(True))
    if f.overdue:
        late = and_(m.deadline_at.is_not(None), m.deadline_at <= now)
        where.append(or_(m.status == M.OVERDUE, and_(m.status.in_([M.NEW, M.ASSIGNED]), late)))
    if f.closing_within is not None:
        closes = m.reply_window_closes_at
        where.append(and_(closes.is_not(None), closes > now, closes <= now + f.closing_within))
    return where


async def page(
    session: AsyncSession, f: InboxFilter, now: datetime, *, offset: int, limit: int
) -> tuple[list[CitizenMessage], int]:
    """One page of the filtered list and how many rows the filter matches in all."""
    where = _where(f, now)
    total = await session.scalar(select(func.count()).select_from(CitizenMessage).where(*where))
    closes = CitizenMessage.reply_window_closes_at
    is_open = and_(closes.is_not(None), closes > now)
    q = (
        select(CitizenMessage)
        .where(*where)
        .order_by(
            case((is_open, 0), else_=1),
            case((is_open, closes), else_=None).asc().nulls_last(),
            CitizenMessage.deadline_at.asc().nulls_last(),
            CitizenMessage.id,
        )
        .offset(offset)
        .limit(limit)
    )
    return list((await session.scalars(q)).all()), int(total or 0)


async def topics(session: AsyncSession, department_id: int | None) -> list[str]:
    """The topics messages in scope carry (the filter's choices), by name."""
    q = select(CitizenMessage.topic).where(CitizenMessage.topic.is_not(None)).distinct()
    if department_id is not None:
        q = q.where(CitizenMessage.department_id == department_id)
    return sorted(str(t) for t in (await session.scalars(q)).all())


async def departments(session: AsyncSession) -> list[Department]:
    """Every department in the settings' order: the department filter, the transfer's choices."""
    return list((await session.scalars(select(Department).order_by(Department.id))).all())
