"""The console's drafts list: whose (mine / my department / all I may read), by status, by words
in the current revision's title or body, one page at a time with the total for the page links.

Always within the reader's scope (``review.visibility`` through ``readable``): "my department"
narrows it further to drafts written in the department or for an account the department
opened, never widens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Draft, Revision
from review.store.draft_scope import readable
from review.visibility import Ground, Scope

Whose = Literal["mine", "department", "all"]
WHOSE: tuple[Whose, ...] = ("mine", "department", "all")


@dataclass(frozen=True)
class DraftQuery:
    whose: Whose = "all"
    status: str | None = None
    text: str = ""
    page: int = 1  # 1-based
    per_page: int = 20


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filters(scope: Scope, q: DraftQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [readable(scope, Draft.id)]
    if q.whose == "mine":
        where.append(Draft.author_id == scope.person_id)
    elif q.whose == "department":
        ours = Scope(
            scope.person_id,
            scope.department_id,
            frozenset({Ground.AUTHOR_DEPARTMENT, Ground.OWNER_DEPARTMENT}),
        )
        where.append(readable(ours, Draft.id))
    if q.status:
        where.append(Draft.status == q.status)
    text = q.text.strip()
    if text:
        pattern = _like(text)
        current = select(Revision.id).where(
            Revision.draft_id == Draft.id,
            Revision.number == Draft.current_revision,
            or_(
                Revision.title.like(pattern, escape="\\"), Revision.body.like(pattern, escape="\\")
            ),
        )
        where.append(current.correlate(Draft).exists())
    return where


async def search(session: AsyncSession, scope: Scope, q: DraftQuery) -> tuple[list[Draft], int]:
    """One page of drafts, newest first, and how many match in all."""
    where = and_(*_filters(scope, q))
    total = int(await session.scalar(select(func.count()).select_from(Draft).where(where)) or 0)
    page = max(1, q.page)
    rows = await session.scalars(
        select(Draft)
        .where(where)
        .order_by(Draft.id.desc())
        .limit(q.per_page)
        .offset((page - 1) * q.per_page)
    )
    return list(rows.all()), total
