"""After ``newmedia db restore``: rows the backup holds as due but unsent may have gone out since.

A backup taken at night still says ``scheduled`` for every post published after it (and
``publishing`` for a call under way then); restored as they are, the publishers would send them
again. So, in the restore's own transaction, each such row gets the ambiguous flag
(``review.publishing.rules.AMBIGUOUS``): the engine then only looks for the post on the platform
by its key, never resends it, and what is not found goes to a person.

Only columns present since migration 0001 are read or written (Core statements, not the ORM
class), so the flag applies to a backup at any migration this code can restore.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Account, Publication, Revision
from review.publishing.rules import AMBIGUOUS
from review.states import PublicationStatus as P

#: what the flagged rows say to whoever opens them
RESTORED_ERROR = "数据库已从备份恢复：发布前先到平台核对，避免重复发布"

_PUBS: Table = Publication.__table__  # type: ignore[assignment]
_ACCOUNTS: Table = Account.__table__  # type: ignore[assignment]
_REVISIONS: Table = Revision.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Flagged:
    """One row that will be checked on the platform before anything is sent."""

    id: int
    account: str
    title: str
    due_at: datetime
    status: str


async def flag_after_restore(session: AsyncSession, now: datetime) -> list[Flagged]:
    """Flag every ``scheduled`` row due by ``now`` and every ``publishing`` row ambiguous; the
    rows flagged, by due time. Each UPDATE is guarded by the status it read."""
    t = _PUBS
    found = await session.execute(
        select(
            t.c.id, t.c.status, t.c.due_at, t.c.receipt_extra, _ACCOUNTS.c.key, _REVISIONS.c.title
        )
        .join(_ACCOUNTS, _ACCOUNTS.c.id == t.c.account_id)
        .join(_REVISIONS, _REVISIONS.c.id == t.c.revision_id)
        .where(
            or_(
                and_(t.c.status == P.SCHEDULED, t.c.due_at <= now),
                t.c.status == P.PUBLISHING,
            )
        )
        .order_by(t.c.due_at, t.c.id)
    )
    flagged: list[Flagged] = []
    for pid, status, due_at, extra, account, title in found.all():
        stmt = (
            update(t)
            .where(t.c.id == pid, t.c.status == status)
            .values(
                receipt_extra=dict(extra or {}) | {AMBIGUOUS: "1"},
                last_error=RESTORED_ERROR,
                updated_at=now,
            )
        )
        if (await session.execute(stmt)).rowcount == 1:  # type: ignore[attr-defined]
            flagged.append(Flagged(int(pid), str(account), str(title), due_at, str(status)))
    return flagged
