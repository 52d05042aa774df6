"""Queries for staff notifications (stored first, delivered by the notifier tick)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from review.models import Notification, utcnow


async def add(
    session: AsyncSession,
    *,
    kind: str,
    subject: str,
    text: str,
    department_id: int | None = None,
    person_id: int | None = None,
    payload: dict[str, Any] | None = None,
    dedup_key: str | None = None,
    status: str = "pending",
    at: datetime | None = None,
) -> Notification | None:
    """Insert inside the caller's transaction; with ``dedup_key`` a second call is a no-op."""
    if dedup_key is not None:
        exists = await session.scalar(
            select(Notification.id).where(Notification.dedup_key == dedup_key)
        )
        if exists is not None:
            return None
    row = Notification(
        kind=kind,
        subject=subject,
        text=text,
        department_id=department_id,
        person_id=person_id,
        payload=payload or {},
        dedup_key=dedup_key,
        status=status,
        created_at=at or utcnow(),
    )
    session.add(row)
    await session.flush()
    return row


CLAIM = timedelta(minutes=2)


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Pending, or claimed by a deliverer that crashed or was stopped mid-delivery."""
    return or_(
        Notification.status == "pending",
        and_(Notification.status == "sending", Notification.claimed_until < now),
    )


async def claim_pending(session: AsyncSession, limit: int = 50) -> list[Notification]:
    """Claim up to ``limit`` rows for ``CLAIM``; each row's ``claimed_until`` is its claim's
    fence: a later claim needs this one run out and sets a later time, so no other deliverer
    can hold the same value (``renew_claim`` and ``mark`` are guarded by it)."""
    now = utcnow()
    until = now + CLAIM
    rows = (
        await session.scalars(
            select(Notification).where(_claimable(now)).order_by(Notification.id).limit(limit)
        )
    ).all()
    claimed: list[Notification] = []
    for row in rows:
        result = await session.execute(
            update(Notification)
            .where(Notification.id == row.id, _claimable(now))
            .values(status="sending", attempts=Notification.attempts + 1, claimed_until=until)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            # what the row now holds, without making the object dirty (no second UPDATE)
            set_committed_value(row, "status", "sending")
            set_committed_value(row, "attempts", row.attempts + 1)
            set_committed_value(row, "claimed_until", until)
            claimed.append(row)
    return claimed


def _mine(notification_id: int, claim: datetime) -> ColumnElement[bool]:
    return and_(
        Notification.id == notification_id,
        Notification.status == "sending",
        Notification.claimed_until == claim,
    )


async def renew_claim(
    session: AsyncSession, notification_id: int, claim: datetime | None
) -> datetime | None:
    """Right before a row's call: a full ``CLAIM`` more if the claim is still mine (the fence
    unchanged: nobody took it over after it ran out); the new fence, or None if it was lost."""
    if claim is None:
        return None
    until = utcnow() + CLAIM
    result = await session.execute(
        update(Notification)
        .where(_mine(notification_id, claim))
        .values(claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return until if result.rowcount else None  # type: ignore[attr-defined]


async def mark(
    session: AsyncSession,
    notification_id: int,
    status: str,
    error: str | None = None,
    *,
    claim: datetime,
) -> bool:
    """The outcome of a delivery made under ``claim``; never over another deliverer's claim."""
    sent_at: datetime | None = utcnow() if status in ("sent", "logged") else None
    result = await session.execute(
        update(Notification)
        .where(_mine(notification_id, claim))
        .values(status=status, error=error, sent_at=sent_at)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def recent(
    session: AsyncSession,
    *,
    kind: str | None = None,
    department_id: int | None = None,
    person_id: int | None = None,
    limit: int = 50,
) -> list[Notification]:
    q = select(Notification).order_by(Notification.id.desc()).limit(limit)
    if kind:
        q = q.where(Notification.kind == kind)
    if department_id is not None:
        q = q.where(Notification.department_id == department_id)
    if person_id is not None:
        q = q.where(Notification.person_id == person_id)
    return list((await session.scalars(q)).all())
