"""Which revision each reviewer has seen, and what a preview is drawn from.

Recorded when a reviewer opens a revision (chat 查看, the preview link, the console preview);
read back so a draft returned after 退回 is shown against the revision that reviewer saw last.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Account, DraftTarget, Revision, RevisionView, utcnow


async def record(session: AsyncSession, person_id: int, revision: Revision) -> None:
    """Remember that ``person_id`` saw ``revision`` (once; a repeat changes nothing)."""
    seen = await session.scalar(
        select(RevisionView.id).where(
            RevisionView.person_id == person_id, RevisionView.revision_id == revision.id
        )
    )
    if seen is not None:
        return
    try:
        async with session.begin_nested():
            session.add(
                RevisionView(
                    person_id=person_id,
                    draft_id=revision.draft_id,
                    revision_id=revision.id,
                    viewed_at=utcnow(),
                )
            )
    except IntegrityError:
        pass  # recorded at the same moment by another request: the same fact


async def last_seen(session: AsyncSession, person_id: int, revision: Revision) -> Revision | None:
    """The latest earlier revision of the same draft that ``person_id`` has seen, if any."""
    return await session.scalar(
        select(Revision)
        .join(RevisionView, RevisionView.revision_id == Revision.id)
        .where(
            RevisionView.person_id == person_id,
            Revision.draft_id == revision.draft_id,
            Revision.number < revision.number,
        )
        .order_by(Revision.number.desc())
        .limit(1)
    )


async def target_of(
    session: AsyncSession, draft_id: int, platform: str, account_id: int | None = None
) -> Account | None:
    """The draft's target account on ``platform`` (``account_id`` when given and targeted)."""
    query = (
        select(Account)
        .join(DraftTarget, DraftTarget.account_id == Account.id)
        .where(DraftTarget.draft_id == draft_id, Account.platform == platform)
        .order_by(Account.id)
    )
    if account_id is not None:
        query = query.where(Account.id == account_id)
    return (await session.scalars(query.limit(1))).first()
