"""Console sign-in attempts in the database, so every replica counts the same failures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import SignInAttempt


async def record(
    session: AsyncSession, *, at: datetime, address: str, person_key: str | None, succeeded: bool
) -> None:
    session.add(
        SignInAttempt(at=at, address=address[:64], person_key=person_key, succeeded=succeeded)
    )
    await session.flush()


async def failures(
    session: AsyncSession,
    since: datetime,
    *,
    address: str | None = None,
    person_key: str | None = None,
    limit: int = 1000,
) -> list[datetime]:
    """When the failures since ``since`` happened (oldest first), from one address or for one
    person."""
    q = select(SignInAttempt.at).where(
        SignInAttempt.at >= since, SignInAttempt.succeeded.is_(False)
    )
    if address is not None:
        q = q.where(SignInAttempt.address == address[:64])
    if person_key is not None:
        q = q.where(SignInAttempt.person_key == person_key)
    return list((await session.scalars(q.order_by(SignInAttempt.at).limit(limit))).all())


async def prune(session: AsyncSession, before: datetime) -> None:
    """Attempts older than the window count for nothing (the audit log keeps each one)."""
    await session.execute(delete(SignInAttempt).where(SignInAttempt.at < before))
