"""Reads for the accounts page (``review.account_health``): each account's latest post the
reader may read, and the week's platform errors.

Platform errors are what the publisher recorded: a terminal outcome (发布失败, 待人工核对) is an
audit event ``publication.failed`` / ``publication.needs_check`` with the platform's words in
``detail.error``; a post still being retried keeps its latest error on the row (``last_error``
of a ``scheduled`` row with attempts), and a pending post whose status query keeps failing
too (``review.publishing.poll_backoff``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.account_health import PlatformError
from review.models import Account, AuditEvent, Publication, Revision
from review.publishing.poll_backoff import is_failing
from review.states import PublicationStatus as P
from review.store.draft_scope import readable
from review.visibility import Scope

#: the audit actions of a publish that ended in an error
ERROR_ACTIONS = (f"publication.{P.FAILED}", f"publication.{P.NEEDS_CHECK}")


async def last_posts(
    session: AsyncSession, accounts: Sequence[Account], scope: Scope
) -> dict[int, tuple[int, str]]:
    """Account id → (publication id, title) of its newest post that went out and the reader
    may read (a retracted one counts: it went out)."""
    out: dict[int, tuple[int, str]] = {}
    for account in accounts:
        row = (
            await session.execute(
                select(Publication.id, Revision.title)
                .join(Revision, Revision.id == Publication.revision_id)
                .where(
                    Publication.account_id == account.id,
                    Publication.published_at.is_not(None),
                    readable(scope, Publication.draft_id),
                )
                .order_by(Publication.published_at.desc())
                .limit(1)
            )
        ).first()
        if row is not None:
            out[account.id] = (row[0], row[1])
    return out


async def platform_errors(
    session: AsyncSession, accounts: Sequence[Account], since: datetime, scope: Scope
) -> dict[int, list[PlatformError]]:
    """Account id → its platform errors since ``since``, newest first: only those of posts
    the reader may read (a hidden post's error text is not shown either)."""
    by_key = {a.key: a.id for a in accounts}
    out: dict[int, list[PlatformError]] = {a.id: [] for a in accounts}
    # the audit log keeps subject ids as text
    readable_ids = select(cast(Publication.id, String)).where(readable(scope, Publication.draft_id))
    events = await session.scalars(
        select(AuditEvent).where(
            AuditEvent.action.in_(ERROR_ACTIONS),
            AuditEvent.at >= since,
            AuditEvent.subject_type == "publication",
            AuditEvent.subject_id.in_(readable_ids),
        )
    )
    for event in events.all():
        detail = event.detail or {}
        account_id = by_key.get(str(detail.get("account") or ""))
        if account_id is not None and detail.get("error"):
            text = str(detail["error"])
            out[account_id].append(PlatformError(event.at, int(event.subject_id), text))
    retrying = await session.scalars(
        select(Publication).where(
            Publication.status.in_([P.SCHEDULED, P.PENDING]),
            Publication.attempts > 0,
            Publication.last_error.is_not(None),
            Publication.updated_at >= since,
            readable(scope, Publication.draft_id),
        )
    )
    for pub in retrying.all():
        if pub.status == P.PENDING and not is_failing(pub.last_error):
            continue
        if pub.account_id in out:
            text = f"仍在重试：{pub.last_error}"
            out[pub.account_id].append(PlatformError(pub.updated_at, pub.id, text))
    for errors in out.values():
        errors.sort(key=lambda e: e.at, reverse=True)
    return out
