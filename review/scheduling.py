"""Turning a fully approved draft into publications (one per target account).

Each is due at the revision's own ``publish_at`` or, without one, at the account's next
publishing slot ("HH:MM", Beijing time). The publisher's tick picks the rows up; this module
only creates them in ``scheduled``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from review.errors import Conflict
from review.models import Account, Publication, Revision, utcnow
from review.states import PUBLICATION_LABELS, PublicationStatus
from review.store import scheduling as store
from review.timefmt import SHANGHAI

#: the settings default, used for an account whose slots were not passed in
DEFAULT_SLOTS = ("09:00", "17:00")

Slots = Mapping[str, Sequence[str]]


def parse_slot(text: str) -> time:
    hours, _, minutes = text.strip().partition(":")
    try:
        return time(int(hours), int(minutes or 0))
    except ValueError:
        raise ValueError(f"发布时段格式应为 HH:MM，收到「{text}」") from None


def next_slot(now: datetime, slots: Sequence[str]) -> datetime:
    """The first slot strictly after ``now`` (aware UTC in, aware UTC out)."""
    times = sorted(parse_slot(s) for s in (slots or DEFAULT_SLOTS))
    local = now.astimezone(SHANGHAI)
    for day in range(2):
        date = local.date() + timedelta(days=day)
        for t in times:
            candidate = datetime.combine(date, t, tzinfo=SHANGHAI)
            if candidate > local:
                return candidate.astimezone(now.tzinfo)
    raise AssertionError("unreachable: a slot always exists within two days")


def due_at(revision: Revision, account_key: str, slots: Slots | None, now: datetime) -> datetime:
    """The revision's own time (never in the past), else the account's next slot."""
    if revision.publish_at is not None:
        return max(revision.publish_at, now)
    return next_slot(now, (slots or {}).get(account_key, DEFAULT_SLOTS))


def idempotency_key(draft_id: int, account_id: int, revision_number: int) -> str:
    return f"p{draft_id}a{account_id}r{revision_number}"


async def schedule(
    session: AsyncSession,
    revision: Revision,
    accounts: Sequence[Account],
    *,
    slots: Slots | None = None,
    now: datetime | None = None,
) -> list[Publication]:
    """Create (or re-use a cancelled or failed) publication per account for this revision."""
    now = now or utcnow()
    existing = {p.account_id: p for p in await store.publications_of(session, revision.draft_id)}
    made: list[Publication] = []
    for account in accounts:
        when = due_at(revision, account.key, slots, now)
        key = idempotency_key(revision.draft_id, account.id, revision.number)
        old = existing.get(account.id)
        if old is None:
            made.append(
                await store.insert_publication(
                    session,
                    draft_id=revision.draft_id,
                    revision_id=revision.id,
                    account_id=account.id,
                    due_at=when,
                    idempotency_key=key,
                )
            )
            continue
        if old.status == PublicationStatus.SCHEDULED and old.revision_id == revision.id:
            made.append(old)  # already scheduled for exactly this revision
            continue
        revived = await store.revive_cancelled(
            session, old.id, revision_id=revision.id, due_at=when, idempotency_key=key
        )
        if not revived:
            label = PUBLICATION_LABELS.get(PublicationStatus(old.status), old.status)
            raise Conflict(
                f"稿件 {revision.draft_id} 在账号「{account.name}」的发布记录状态为「{label}」，"
                "不能再次排期；如需更正请另发更正稿"
            )
        await session.refresh(old)
        made.append(old)
    return made
