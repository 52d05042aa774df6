"""Posts listed on the platforms (the back-office sync) and their match to our publications.

Idempotent by the unique (account, remote id): a post listed again only refreshes what can
change (deleted, last seen, a publication found later). Flagging is a guarded UPDATE on
``flagged_at IS NULL``, so the owner department hears of a post once, whichever run saw it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import PlatformPost as Listed
from review.models import PlatformPost, PlatformSync, Publication
from review.store.inbox_session import dialect_insert


@dataclass(frozen=True)
class Ours:
    """The account's publications, to recognise our own posts by remote id or marker."""

    by_remote: dict[str, int]
    by_key: dict[str, int]

    def match(self, post: Listed) -> int | None:
        found = self.by_remote.get(post.remote_id)
        if found is None and post.marker:
            found = self.by_key.get(post.marker)
        return found


async def ours(session: AsyncSession, account_id: int) -> Ours:
    rows = await session.execute(
        select(Publication.id, Publication.remote_id, Publication.idempotency_key).where(
            Publication.account_id == account_id
        )
    )
    by_remote: dict[str, int] = {}
    by_key: dict[str, int] = {}
    for pub_id, remote_id, key in rows.all():
        if remote_id:
            by_remote[remote_id] = pub_id
        by_key[key] = pub_id
    return Ours(by_remote, by_key)


async def store(
    session: AsyncSession, account_id: int, posts: Sequence[Listed], now: datetime
) -> list[PlatformPost]:
    """Insert the posts not stored yet, refresh the others; every row of ``posts`` back."""
    known = await ours(session, account_id)
    for post in posts:
        stmt = dialect_insert(session, PlatformPost).values(
            account_id=account_id,
            remote_id=post.remote_id,
            title=post.title[:200],
            excerpt=post.excerpt,
            posted_at=post.posted_at,
            url=(post.url or None) and post.url[:500],
            marker=(post.marker or None) and post.marker[:64],
            publication_id=known.match(post),
            deleted=post.deleted,
            first_seen_at=now,
            last_seen_at=now,
        )
        await session.execute(
            stmt.on_conflict_do_nothing(
                index_elements=[PlatformPost.account_id, PlatformPost.remote_id]
            )
        )
    remote_ids = [p.remote_id for p in posts]
    if not remote_ids:
        return []
    rows = list(
        await session.scalars(
            select(PlatformPost).where(
                PlatformPost.account_id == account_id, PlatformPost.remote_id.in_(remote_ids)
            )
        )
    )
    listed = {p.remote_id: p for p in posts}
    for row in rows:
        post = listed[row.remote_id]
        row.last_seen_at = now
        row.deleted = post.deleted
        if row.publication_id is None:
            row.publication_id = known.match(post)
    await session.flush()
    return rows


async def claim_flag(session: AsyncSession, post_id: int, now: datetime) -> bool:
    """Mark one post flagged unless it already is; True when this call did it."""
    result = await session.execute(
        update(PlatformPost)
        .where(PlatformPost.id == post_id, PlatformPost.flagged_at.is_(None))
        .values(flagged_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


async def record_sync(
    session: AsyncSession, account_id: int, now: datetime, *, complete: bool, problem: str | None
) -> None:
    """One row per account, upserted: replicas that sync at the same moment never collide."""
    values: dict[str, object] = {"ran_at": now, "problem": problem}
    if complete and problem is None:
        values["ok_at"] = now
    stmt = dialect_insert(session, PlatformSync).values(account_id=account_id, **values)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=[PlatformSync.account_id], set_=values)
    )


async def syncs(session: AsyncSession) -> dict[int, PlatformSync]:
    return {row.account_id: row for row in await session.scalars(select(PlatformSync))}


async def posts_between(
    session: AsyncSession, account_id: int, since: datetime | None, until: datetime
) -> list[PlatformPost]:
    """The account's listed posts made in (since, until], newest first."""
    stmt = select(PlatformPost).where(
        PlatformPost.account_id == account_id, PlatformPost.posted_at <= until
    )
    if since is not None:
        stmt = stmt.where(PlatformPost.posted_at > since)
    return list(await session.scalars(stmt.order_by(PlatformPost.posted_at.desc())))


async def latest_post(
    session: AsyncSession, account_id: int, until: datetime
) -> PlatformPost | None:
    """The newest listed post made by ``until`` (deleted ones too: the public saw it)."""
    return await session.scalar(
        select(PlatformPost)
        .where(PlatformPost.account_id == account_id, PlatformPost.posted_at <= until)
        .order_by(PlatformPost.posted_at.desc())
        .limit(1)
    )
