"""Queries for grouped publishing alerts: held facts in, one notification per episode out.

The rule that groups them is review/publishing/alert_groups.py (pure). Safe on several replicas:
an episode's notification carries the unique ``dedup_key`` ``publication_episode:<account>:<n>``
and is inserted with ON CONFLICT DO NOTHING, so two replicas opening the same episode write one
row; a fact is filed only while still ``held`` (a guarded update), so it is filed once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Account, Notification, Publication
from review.publishing.alert_groups import EPISODE_KIND, GROUPED_KINDS, Episode, Problem
from review.publishing.rules import LATE_NOTICE_SECONDS
from review.states import PublicationStatus as P

#: most held facts read in one go (the rest wait for the next tick)
HELD_LIMIT = 5000


async def held(session: AsyncSession, limit: int = HELD_LIMIT) -> list[Problem]:
    rows = await session.scalars(
        select(Notification)
        .where(Notification.status == "held", Notification.kind.in_(GROUPED_KINDS))
        .order_by(Notification.id)
        .limit(limit)
    )
    out: list[Problem] = []
    for n in rows.all():
        p = n.payload or {}
        out.append(
            Problem(
                note_id=n.id,
                account_id=int(p.get("account_id") or 0),
                publication_id=int(p.get("publication_id") or 0),
                kind=n.kind,
                title=str(p.get("title") or ""),
                at=n.created_at,
            )
        )
    return out


def _subject(account_id: int) -> str:
    return f"account:{account_id}"


async def latest_episodes(session: AsyncSession, account_ids: Sequence[int]) -> dict[int, Episode]:
    """Each account's newest episode: its number and the time of its last filed problem."""
    out: dict[int, Episode] = {}
    for account_id in account_ids:
        note = await session.scalar(
            select(Notification)
            .where(Notification.kind == EPISODE_KIND, Notification.subject == _subject(account_id))
            .order_by(Notification.id.desc())
            .limit(1)
        )
        if note is None or note.dedup_key is None:
            continue
        last = await session.scalar(
            select(func.max(Notification.created_at)).where(Notification.episode == note.dedup_key)
        )
        out[account_id] = Episode(
            int((note.payload or {}).get("seq") or 0), last or note.created_at
        )
    return out


async def clean_publishes(
    session: AsyncSession, account_ids: Sequence[int], since: datetime
) -> dict[int, list[datetime]]:
    """When each account's posts went out on time since ``since`` (the sign it recovered)."""
    rows = await session.execute(
        select(Publication.account_id, Publication.published_at).where(
            Publication.account_id.in_(account_ids),
            Publication.status.in_((P.PUBLISHED, P.RETRACTED)),
            Publication.published_at > since,
            Publication.late_seconds <= LATE_NOTICE_SECONDS,
        )
    )
    out: dict[int, list[datetime]] = defaultdict(list)
    for account_id, at in rows.all():
        if at is not None:
            out[account_id].append(at)
    return dict(out)


async def accounts(session: AsyncSession, account_ids: Sequence[int]) -> dict[int, Account]:
    rows = await session.scalars(select(Account).where(Account.id.in_(account_ids)))
    return {a.id: a for a in rows.all()}


async def open_episode(
    session: AsyncSession,
    *,
    account: Account,
    seq: int,
    key: str,
    text: str,
    payload: dict[str, Any],
    at: datetime,
) -> None:
    """The episode's one notification; a replica that opened it first wins (no error)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(Notification)
        .values(
            kind=EPISODE_KIND,
            subject=_subject(account.id),
            text=text,
            department_id=account.owner_department_id,
            payload={**payload, "seq": seq},
            dedup_key=key,
            attempts=0,
            created_at=at,
        )
        .on_conflict_do_nothing(index_elements=["dedup_key"])
    )
    await session.execute(stmt)


async def file_under(session: AsyncSession, note_ids: Sequence[int], key: str) -> int:
    """File held facts under an episode; only those still held (another replica may have)."""
    result = await session.execute(
        update(Notification)
        .where(Notification.id.in_(note_ids), Notification.status == "held")
        .values(status="grouped", episode=key)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
