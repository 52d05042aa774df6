"""The one query behind settling a publication by hand (``needs_check`` or ``pending``; guarded
in SQL on the status the person saw)."""

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
    seen: P = P.NEEDS_CHECK,
    *,
    now: datetime,
    remote_id: str | None = None,
    url: str | None = None,
    note: str | None = None,
) -> bool:
    """``seen`` → published | failed | scheduled, only while the row is still ``seen`` (nobody
    settled it first, no platform answer came in); the transition table refuses the rest
    (``pending`` → ``scheduled``)."""
    values: dict[str, Any] = {"updated_at": now, "lease_until": None}
    if target is P.PUBLISHED:
        values.update(published_at=now, remote_id=remote_id, url=url)
    elif target is P.SCHEDULED:
        values.update(due_at=now, claimed_by=None)
    if note:
        values["last_error"] = note
    stmt = (
        transition(Publication, target, seen)
        .where(Publication.id == publication_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(await apply(session, stmt))
