"""The console's publication reads: one page of a filtered list with its total, and one
account's posts between two moments (the calendar). Both filter in SQL with the reader's scope
(``review.store.draft_scope.readable``), so a hidden draft's post is simply absent.

A post's time is when it went out, else when it is due (``placed``), the same moment the
calendar places it on (``review.publication_calendar.placed_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Account, Publication, Revision
from review.store.draft_scope import readable
from review.visibility import Scope

Ts = TypeVarTuple("Ts")
#: when a post went out, else when it is due
placed: ColumnElement[datetime] = func.coalesce(Publication.published_at, Publication.due_at)


@dataclass(frozen=True)
class Filters:
    """What the list page narrows by; every field optional."""

    account_id: int | None = None
    platform: str | None = None
    status: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class Row:
    pub: Publication
    account: Account
    title: str


def _where(q: Select[*Ts], f: Filters, scope: Scope) -> Select[*Ts]:
    q = q.where(readable(scope, Publication.draft_id))
    if f.account_id is not None:
        q = q.where(Publication.account_id == f.account_id)
    if f.platform:
        q = q.where(Account.platform == f.platform)
    if f.status:
        q = q.where(Publication.status == f.status)
    if f.since is not None:
        q = q.where(placed >= f.since)
    if f.until is not None:
        q = q.where(placed < f.until)
    return q


def _rows(q: Select[*Ts]) -> Select[*Ts]:
    return q.join(Account, Account.id == Publication.account_id).join(
        Revision, Revision.id == Publication.revision_id
    )


async def page(
    session: AsyncSession, f: Filters, scope: Scope, *, offset: int, limit: int
) -> tuple[list[Row], int]:
    """One page, newest first, and how many rows match in all."""
    listed = _where(_rows(select(Publication, Account, Revision.title)), f, scope)
    listed = listed.order_by(placed.desc(), Publication.id.desc()).offset(offset).limit(limit)
    counted = _where(
        select(func.count(Publication.id)).join(Account, Account.id == Publication.account_id),
        f,
        scope,
    )
    rows = [Row(p, a, t) for p, a, t in (await session.execute(listed)).all()]
    return rows, int(await session.scalar(counted) or 0)


async def between(
    session: AsyncSession, account_id: int, start: datetime, end: datetime, scope: Scope
) -> list[tuple[Publication, str]]:
    """(publication, title) of one account placed in [start, end)."""
    f = Filters(account_id=account_id, since=start, until=end)
    q = _where(_rows(select(Publication, Revision.title)), f, scope).order_by(placed)
    return [(p, t) for p, t in (await session.execute(q)).all()]
