"""Server-side console sessions: the cookie's random id is looked up by its sha256, so sign-out,
a reissued token or a timeout ends a session on every replica at once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import ConsoleSession


def hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def create(session: AsyncSession, person_id: int, now: datetime) -> str:
    """A new session for the person; returns the id for the cookie (stored only hashed)."""
    session_id = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            id_hash=hash_id(session_id), person_id=person_id, created_at=now, last_seen_at=now
        )
    )
    await session.flush()
    return session_id


async def find(session: AsyncSession, session_id: str) -> ConsoleSession | None:
    """The session behind a cookie, unless revoked (timeouts are the caller's to judge)."""
    return await session.scalar(
        select(ConsoleSession).where(
            ConsoleSession.id_hash == hash_id(session_id), ConsoleSession.revoked_at.is_(None)
        )
    )


async def revoke(session: AsyncSession, session_id: str, now: datetime) -> int | None:
    """Revoke one session; returns its person's id (None when it was unknown or revoked)."""
    row = await find(session, session_id)
    if row is None:
        return None
    row.revoked_at = now
    await session.flush()
    return row.person_id


async def revoke_for_person(session: AsyncSession, person_id: int, now: datetime) -> int:
    """Every live session of the person (a reissued or revoked token signs them all out)."""
    result = await session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.person_id == person_id, ConsoleSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def set_flash(session: AsyncSession, row_id: int, text: str) -> None:
    await session.execute(
        update(ConsoleSession).where(ConsoleSession.id == row_id).values(flash=text[:2000])
    )


async def active_counts(
    session: AsyncSession, *, seen_since: datetime, created_since: datetime
) -> dict[int, int]:
    """person id → sessions neither revoked nor timed out."""
    rows = await session.execute(
        select(ConsoleSession.person_id, func.count())
        .where(
            ConsoleSession.revoked_at.is_(None),
            ConsoleSession.last_seen_at >= seen_since,
            ConsoleSession.created_at >= created_since,
        )
        .group_by(ConsoleSession.person_id)
    )
    return {int(pid): int(n) for pid, n in rows.all()}


async def prune(session: AsyncSession, before: datetime) -> None:
    """Forget sessions that ended (revoked or created) before ``before``; the audit log keeps
    the sign-ins and sign-outs."""
    await session.execute(
        delete(ConsoleSession).where(
            or_(ConsoleSession.revoked_at < before, ConsoleSession.created_at < before)
        )
    )
