"""Queries for staff notifications (stored first, delivered by the notifier tick)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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
    now = utcnow()
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
            .values(status="sending", attempts=Notification.attempts + 1, claimed_until=now + CLAIM)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            claimed.append(row)
    return claimed


async def mark(
    session: AsyncSession, notification_id: int, status: str, error: str | None = None
) -> None:
    sent_at: datetime | None = utcnow() if status in ("sent", "logged") else None
    await session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .values(status=status, error=error, sent_at=sent_at)
    )


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
