"""People's API tokens and the console sessions signed in with them: one place where a token
changes, so a reissued or revoked token always ends the person's console sessions too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import AuditEvent, Person
from review.store import console_sessions, directory


async def reissue(session: AsyncSession, person: Person, now: datetime) -> tuple[str, int]:
    """A new token (shown once) and how many console sessions it ended."""
    token = await directory.issue_token(session, person)
    return token, await console_sessions.revoke_for_person(session, person.id, now)


async def revoke(session: AsyncSession, person: Person, now: datetime) -> tuple[bool, int]:
    """Clear the person's token; returns (whether there was one, sessions ended)."""
    had = person.api_token_hash is not None
    person.api_token_hash = None
    session.add(person)
    await session.flush()
    return had, await console_sessions.revoke_for_person(session, person.id, now)


async def holder(session: AsyncSession, token: str) -> Person | None:
    """Whoever the token belongs to, active or not (sign-in tells the two apart)."""
    if not token:
        return None
    return await session.scalar(
        select(Person).where(Person.api_token_hash == directory.hash_token(token))
    )


@dataclass(frozen=True)
class TokenRow:
    key: str
    name: str
    active: bool
    has_token: bool
    #: from the audit log's last ``token.issue`` (None when the log has none)
    issued_at: datetime | None
    console_sessions: int


async def listing(
    session: AsyncSession, *, seen_since: datetime, created_since: datetime
) -> list[TokenRow]:
    people = (await session.scalars(select(Person).order_by(Person.key))).all()
    issued = dict(
        (
            await session.execute(
                select(AuditEvent.subject_id, func.max(AuditEvent.at))
                .where(AuditEvent.action == "token.issue", AuditEvent.subject_type == "person")
                .group_by(AuditEvent.subject_id)
            )
        ).all()
    )
    counts = await console_sessions.active_counts(
        session, seen_since=seen_since, created_since=created_since
    )
    return [
        TokenRow(
            key=p.key,
            name=p.name,
            active=p.active,
            has_token=p.api_token_hash is not None,
            issued_at=issued.get(p.key) if p.api_token_hash is not None else None,
            console_sessions=counts.get(p.id, 0),
        )
        for p in people
    ]
