"""Reads for the seed's clocks: the published 规范性文件 with the 政策解读 that name them
(谁起草、谁解读, ``review.interpretations``) and the press items per quarter (``review.press``).
A draft's kind and links are its current revision's; "published" is its first publication on
any account (published or later retracted: it went out)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Department, Draft, Person, Publication, Revision
from review.states import PublicationStatus as P

#: a publication that reached the public at some point
WENT_OUT = (P.PUBLISHED, P.RETRACTED)


def _current() -> object:
    return and_(Revision.draft_id == Draft.id, Revision.number == Draft.current_revision)


async def first_published(session: AsyncSession, draft_ids: Sequence[int]) -> dict[int, datetime]:
    """Draft id → when its first publication went out (drafts never published are absent)."""
    if not draft_ids:
        return {}
    q = (
        select(Publication.draft_id, func.min(Publication.published_at))
        .where(
            Publication.draft_id.in_(draft_ids),
            Publication.status.in_([str(s) for s in WENT_OUT]),
            Publication.published_at.is_not(None),
        )
        .group_by(Publication.draft_id)
    )
    return {d: at for d, at in (await session.execute(q)).all() if at is not None}


async def drafts_of_kind(
    session: AsyncSession, kinds: Sequence[str]
) -> list[tuple[Draft, Revision, Department]]:
    """Drafts whose current revision has one of ``kinds``, with their author's department."""
    q = (
        select(Draft, Revision, Department)
        .join(Revision, _current())  # type: ignore[arg-type]
        .join(Person, Person.id == Draft.author_id)
        .join(Department, Department.id == Person.department_id)
        .where(Revision.kind.in_(list(kinds)))
        .order_by(Draft.id)
    )
    return [(d, r, dept) for d, r, dept in (await session.execute(q)).all()]


async def interpretations_of(
    session: AsyncSession, draft_ids: Sequence[int]
) -> list[tuple[Draft, Revision]]:
    """Drafts whose current revision interprets one of ``draft_ids``."""
    if not draft_ids:
        return []
    q = (
        select(Draft, Revision)
        .join(Revision, _current())  # type: ignore[arg-type]
        .where(Revision.interprets_draft_id.in_(list(draft_ids)))
        .order_by(Draft.id)
    )
    return [(d, r) for d, r in (await session.execute(q)).all()]


async def author_department(session: AsyncSession, draft_id: int) -> Department | None:
    q = (
        select(Department)
        .join(Person, Person.department_id == Department.id)
        .join(Draft, Draft.author_id == Person.id)
        .where(Draft.id == draft_id)
    )
    return (await session.scalars(q)).first()
