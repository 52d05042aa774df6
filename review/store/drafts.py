"""Queries for drafts, their target accounts, revisions and gate runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Account, Draft, DraftTarget, GateRun, Revision, utcnow
from review.states import DraftStatus
from review.store.draft_scope import readable
from review.store.transitions import apply, transition
from review.visibility import Scope


async def insert_draft(session: AsyncSession, author_id: int, **extra: Any) -> Draft:
    draft = Draft(author_id=author_id, status=DraftStatus.DRAFT, current_revision=0, **extra)
    session.add(draft)
    await session.flush()
    return draft


async def set_targets(session: AsyncSession, draft_id: int, account_ids: Sequence[int]) -> None:
    existing = set(
        (
            await session.scalars(
                select(DraftTarget.account_id).where(DraftTarget.draft_id == draft_id)
            )
        ).all()
    )
    for aid in account_ids:
        if aid not in existing:
            session.add(DraftTarget(draft_id=draft_id, account_id=aid))
    for aid in existing - set(account_ids):
        row = await session.scalar(
            select(DraftTarget).where(
                DraftTarget.draft_id == draft_id, DraftTarget.account_id == aid
            )
        )
        if row is not None:
            await session.delete(row)
    await session.flush()


async def target_accounts(session: AsyncSession, draft_id: int) -> list[Account]:
    rows = await session.scalars(
        select(Account)
        .join(DraftTarget, DraftTarget.account_id == Account.id)
        .where(DraftTarget.draft_id == draft_id)
        .order_by(Account.id)
    )
    return list(rows.all())


async def add_revision(session: AsyncSession, draft: Draft, **fields: Any) -> Revision:
    """Append revision ``current + 1``; the unique (draft, number) key stops two racing edits."""
    number = draft.current_revision + 1
    rev = Revision(draft_id=draft.id, number=number, **fields)
    session.add(rev)
    await session.flush()
    draft.current_revision = number
    draft.updated_at = utcnow()
    await session.flush()
    return rev


async def get_draft(session: AsyncSession, draft_id: int) -> Draft | None:
    return await session.get(Draft, draft_id)


async def current_revision(session: AsyncSession, draft: Draft) -> Revision:
    rev = await session.scalar(
        select(Revision).where(
            Revision.draft_id == draft.id, Revision.number == draft.current_revision
        )
    )
    assert rev is not None, f"draft {draft.id} has no revision {draft.current_revision}"
    return rev


async def revisions(session: AsyncSession, draft_id: int) -> list[Revision]:
    rows = await session.scalars(
        select(Revision).where(Revision.draft_id == draft_id).order_by(Revision.number)
    )
    return list(rows.all())


async def revision_by_id(session: AsyncSession, revision_id: int) -> Revision | None:
    return await session.get(Revision, revision_id)


async def list_drafts(
    session: AsyncSession,
    *,
    status: str | None = None,
    account_id: int | None = None,
    author_id: int | None = None,
    scope: Scope | None = None,
    limit: int | None = 100,
) -> list[Draft]:
    """Newest first; with ``scope``, only the drafts that reader may read (``review.visibility``).
    ``limit=None``: all of them."""
    q = select(Draft).order_by(Draft.id.desc()).limit(limit)
    if scope is not None:
        q = q.where(readable(scope, Draft.id))
    if status:
        q = q.where(Draft.status == status)
    if author_id:
        q = q.where(Draft.author_id == author_id)
    if account_id:
        q = q.join(DraftTarget, DraftTarget.draft_id == Draft.id).where(
            DraftTarget.account_id == account_id
        )
    return list((await session.scalars(q)).all())


async def move_draft(
    session: AsyncSession, draft_id: int, expected: DraftStatus, target: DraftStatus
) -> bool:
    """Guarded status change: true only if the draft was still in ``expected``."""
    stmt = (
        transition(Draft, target, expected)
        .where(Draft.id == draft_id)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return bool(await apply(session, stmt))


async def record_gate_run(
    session: AsyncSession,
    revision_id: int,
    verdict: str,
    report: dict[str, Any],
    *,
    submitted_by: int,
) -> GateRun:
    run = GateRun(
        revision_id=revision_id, verdict=verdict, report=report, submitted_by=submitted_by
    )
    session.add(run)
    await session.flush()
    return run


async def latest_gate_run(session: AsyncSession, revision_id: int) -> GateRun | None:
    return await session.scalar(
        select(GateRun)
        .where(GateRun.revision_id == revision_id)
        .order_by(GateRun.id.desc())
        .limit(1)
    )
