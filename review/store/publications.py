"""Queries for publications: claiming due rows, recording outcomes, leases, listings.

Every status change is guarded in SQL. A claim is one ``UPDATE … WHERE status = 'scheduled' …
RETURNING``: on PostgreSQL its subquery takes ``FOR UPDATE SKIP LOCKED`` so replicas split the
due rows instead of queueing on them; on SQLite the transaction is ``BEGIN IMMEDIATE`` (see
review/db.py), so claims are serialised. Outcomes are recorded only while the row is still
``publishing`` *and* still ours (``claimed_by``): a reconciler that took over an expired lease wins.

``sending_at`` is the mark committed just before a platform call (publication_sending.py): only
marked rows go to reconciliation (``claim_expired``). Every way back to ``scheduled`` here, and
every claim, clears the mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Account, Draft, PlatformPost, Publication, ReviewTask, Revision
from review.states import PublicationStatus as P
from review.states import TaskStatus
from review.store.draft_scope import readable
from review.store.publication_outcomes import OutcomeRow, record, record_late, record_many
from review.store.publication_sending import hand_back_expired, hand_back_unsent, mark_sending
from review.store.transitions import apply, transition
from review.visibility import Scope

# recording outcomes, and the sending mark with the hand-backs it allows: beside
__all__ = [
    "OutcomeRow",
    "hand_back_expired",
    "hand_back_unsent",
    "mark_sending",
    "record",
    "record_late",
    "record_many",
]


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


def _ids(session: AsyncSession, candidates: Select[Any]) -> Select[Any]:
    """The candidate ids to claim. On PostgreSQL: locked with SKIP LOCKED inside a MATERIALIZED
    CTE, because a plain ``IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`` may be re-evaluated
    by the planner and claim more than ``n`` rows."""
    if session.get_bind().dialect.name != "postgresql":
        return candidates
    locked = (
        candidates.with_for_update(skip_locked=True).cte("candidates").prefix_with("MATERIALIZED")
    )
    return select(locked.c.id)


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    worker: str,
    lease_seconds: float,
    due_by: datetime | None = None,
    after: datetime | None = None,
) -> list[Publication]:
    """Take up to ``limit`` rows due by ``due_by`` (default ``now``: a publisher preparing
    ahead passes a moment soon after), and only those due after ``after`` when given, for
    ``worker``; each row goes to exactly one claimant."""
    due = (
        select(Publication.id)
        .where(Publication.status == P.SCHEDULED, Publication.due_at <= (due_by or now))
        .order_by(Publication.due_at, Publication.id)
        .limit(limit)
    )
    if after is not None:
        due = due.where(Publication.due_at > after)
    stmt = (
        transition(Publication, P.PUBLISHING, P.SCHEDULED)
        .where(Publication.id.in_(_ids(session, due)))
        .values(
            claimed_by=worker,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=Publication.attempts + 1,
            # a row revived or settled for a retry may carry an old attempt's mark
            sending_at=None,
            updated_at=now,
        )
        .returning(Publication)
        .execution_options(synchronize_session=False)
    )
    rows = list((await session.scalars(stmt)).all())
    rows.sort(key=lambda p: (p.due_at, p.id))
    return rows


async def claim_expired(
    session: AsyncSession, *, now: datetime, limit: int, worker: str, lease_seconds: float
) -> list[Publication]:
    """Take over ``publishing`` rows whose claimant vanished (lease expired) to reconcile them:
    only marked ones, whose call may have started (the unmarked go back: ``hand_back_expired``)."""
    stale = (
        select(Publication.id)
        .where(
            Publication.status == P.PUBLISHING,
            Publication.lease_until < now,
            Publication.sending_at.is_not(None),
        )
        .order_by(Publication.lease_until)
        .limit(limit)
    )
    stmt = (
        update(Publication)
        .where(
            Publication.id.in_(_ids(session, stale)),
            Publication.status == P.PUBLISHING,
            Publication.lease_until < now,
            Publication.sending_at.is_not(None),
        )
        .values(
            claimed_by=worker, lease_until=now + timedelta(seconds=lease_seconds), updated_at=now
        )
        .returning(Publication)
        .execution_options(synchronize_session=False)
    )
    return list((await session.scalars(stmt)).all())


async def release(session: AsyncSession, publication_id: int, *, worker: str) -> bool:
    """Give back a claimed row that was never sent (shutdown, lease too short to start)."""
    stmt = (
        transition(Publication, P.SCHEDULED, P.PUBLISHING)
        .where(Publication.id == publication_id, Publication.claimed_by == worker)
        .values(
            claimed_by=None, lease_until=None, sending_at=None, attempts=Publication.attempts - 1
        )
        .execution_options(synchronize_session=False)
    )
    return await apply(session, stmt) == 1


async def renew_lease(
    session: AsyncSession, publication_id: int, *, worker: str, until: datetime
) -> bool:
    """Extend our claim while a slow platform call runs; false once the row is not ours."""
    result = await session.execute(
        update(Publication)
        .where(
            Publication.id == publication_id,
            Publication.status == P.PUBLISHING,
            Publication.claimed_by == worker,
        )
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def cancel(session: AsyncSession, publication_id: int, reason: str, now: datetime) -> bool:
    """``scheduled``/``publishing``-before-the-call → ``cancelled`` (content no longer approved)."""
    stmt = (
        transition(Publication, P.CANCELLED, P.SCHEDULED, P.PUBLISHING)
        .where(Publication.id == publication_id)
        .values(last_error=reason, claimed_by=None, lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return await apply(session, stmt) == 1


async def mark_retracted(
    session: AsyncSession, publication_id: int, reason: str, now: datetime
) -> bool:
    stmt = (
        transition(Publication, P.RETRACTED, P.PUBLISHED)
        .where(Publication.id == publication_id)
        .values(retracted_at=now, retract_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return await apply(session, stmt) == 1


async def load_context(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, tuple[Revision, Account]]:
    """The revision and account of each publication, in one query."""
    if not ids:
        return {}
    rows = await session.execute(
        select(Publication.id, Revision, Account)
        .join(Revision, Revision.id == Publication.revision_id)
        .join(Account, Account.id == Publication.account_id)
        .where(Publication.id.in_(list(ids)))
    )
    return {pid: (rev, acc) for pid, rev, acc in rows.all()}


async def approved_hashes(
    session: AsyncSession, pairs: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], list[str | None]]:
    """(revision_id, account_id) → the hashes its approved review tasks pinned."""
    if not pairs:
        return {}
    revisions = sorted({r for r, _ in pairs})
    rows = await session.execute(
        select(ReviewTask.revision_id, ReviewTask.account_id, ReviewTask.approved_hash).where(
            ReviewTask.revision_id.in_(revisions), ReviewTask.status == TaskStatus.APPROVED
        )
    )
    out: dict[tuple[int, int], list[str | None]] = {pair: [] for pair in pairs}
    for rev_id, acc_id, pinned in rows.all():
        if (rev_id, acc_id) in out:
            out[(rev_id, acc_id)].append(pinned)
    return out


async def pending(
    session: AsyncSession, *, limit: int, account_id: int | None = None
) -> list[Publication]:
    q = select(Publication).where(Publication.status == P.PENDING).order_by(Publication.updated_at)
    if account_id is not None:
        q = q.where(Publication.account_id == account_id)
    return list((await session.scalars(q.limit(limit))).all())


async def by_remote(session: AsyncSession, account_id: int, remote_id: str) -> Publication | None:
    return await session.scalar(
        select(Publication).where(
            Publication.account_id == account_id, Publication.remote_id == remote_id
        )
    )


async def get(session: AsyncSession, publication_id: int) -> Publication | None:
    return await session.get(Publication, publication_id)


async def listing(
    session: AsyncSession,
    *,
    status: str | None = None,
    scope: Scope | None = None,
    limit: int = 200,
) -> list[tuple[Publication, str, str]]:
    """(publication, account key, title) newest first; with ``scope``, only those whose draft
    that reader may read (``review.visibility``)."""
    q = (
        select(Publication, Account.key, Revision.title)
        .join(Account, Account.id == Publication.account_id)
        .join(Revision, Revision.id == Publication.revision_id)
        .order_by(Publication.id.desc())
        .limit(limit)
    )
    if scope is not None:
        q = q.where(readable(scope, Publication.draft_id))
    if status:
        q = q.where(Publication.status == status)
    return [(p, k, t) for p, k, t in (await session.execute(q)).all()]


async def last_published(
    session: AsyncSession, until: datetime | None = None
) -> dict[int, datetime | None]:
    """Account id → when it last published anything by ``until`` (default: ever): through the
    bot (retracted posts count: they went out) or in the platform's own back office (the daily
    sync's ``platform_posts``) — the one clock the 14-day rule reads."""
    joined = Publication.account_id == Account.id
    listed = select(PlatformPost.account_id, func.max(PlatformPost.posted_at))
    if until is not None:
        joined = and_(joined, Publication.published_at <= until)
        listed = listed.where(PlatformPost.posted_at <= until)
    ours = select(Account.id, func.max(Publication.published_at)).outerjoin(Publication, joined)
    last: dict[int, datetime | None] = {
        account_id: at for account_id, at in (await session.execute(ours.group_by(Account.id)))
    }
    for account_id, at in (await session.execute(listed.group_by(PlatformPost.account_id))).all():
        known = last.get(account_id)
        last[account_id] = at if known is None or (at is not None and at > known) else known
    return last


async def draft_of(session: AsyncSession, publication_id: int) -> Draft | None:
    return await session.scalar(
        select(Draft)
        .join(Publication, Publication.draft_id == Draft.id)
        .where(Publication.id == publication_id)
    )


async def next_due(session: AsyncSession) -> datetime | None:
    """When the earliest ``scheduled`` row falls due: the publisher sleeps until then
    (``bot/publishing/wakeup.py``) instead of polling every second (one seek on
    ``ix_publications_due``)."""
    return await session.scalar(
        select(func.min(Publication.due_at)).where(Publication.status == P.SCHEDULED)
    )
