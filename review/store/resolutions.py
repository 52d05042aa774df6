"""The one query behind settling a ``needs_check`` publication by hand (guarded in SQL)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Publication
from review.states import PublicationStatus as P


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
    values: dict[str, Any] = {"status": target, "updated_at": now, "lease_until": None}
    if target is P.PUBLISHED:
        values.update(published_at=now, remote_id=remote_id, url=url)
    elif target is P.SCHEDULED:
        values.update(due_at=now, claimed_by=None)
    if note:
        values["last_error"] = note
    result = await session.execute(
        update(Publication)
        .where(Publication.id == publication_id, Publication.status == P.NEEDS_CHECK)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
