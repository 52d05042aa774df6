"""The one query behind settling a ``needs_check`` publication by hand (guarded in SQL)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Publication
from review.states import PublicationStatus as P
from review.store.transitions import apply, transition


async def settle(
    session: AsyncSession,
    publication_id: int,
    target: P,
    *,
    now: datetime,
    remote_id: str | None = None,
    url: str | None = None,
    note: str | None = None,
) -> bool:
    """``needs_check`` → published | failed | scheduled, only if nobody settled it first."""
    values: dict[str, Any] = {"updated_at": now, "lease_until": None}
    if target is P.PUBLISHED:
        values.update(published_at=now, remote_id=remote_id, url=url)
    elif target is P.SCHEDULED:
        values.update(due_at=now, claimed_by=None)
    if note:
        values["last_error"] = note
    stmt = (
        transition(Publication, target, P.NEEDS_CHECK)
        .where(Publication.id == publication_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(await apply(session, stmt))
