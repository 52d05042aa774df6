"""What a recorded outcome leaves behind besides the row: its audit event and, where people must
know, a notification — written in the same transaction as the status change (recording.py), so
staff are told exactly once for exactly the change that happened."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Publication
from review.notify import notify
from review.publishing import rules
from review.publishing.alert_groups import GROUPED_KINDS
from review.publishing.targets import Target
from review.states import PUBLICATION_LABELS
from review.states import PublicationStatus as P
from review.store import audit
from review.timefmt import fmt

log = logging.getLogger("newmedia.publisher")


async def outcome_effects(
    session: AsyncSession,
    pub: Publication,
    target: Target,
    outcome: rules.Outcome,
    late: float | None,
    events: list[audit.NewEvent],
    at: datetime,
) -> None:
    """Queue the audit event on ``events`` (appended in one go by the caller) and notify."""
    title = target.revision.title
    subject = f"publication:{pub.id}"
    if outcome.status is not P.SCHEDULED:
        events.append(
            audit.NewEvent(
                "system",
                f"publication.{outcome.status}",
                "publication",
                pub.id,
                {
                    "account": target.key,
                    "attempts": pub.attempts,
                    "remote_id": outcome.remote_id,
                    "error": outcome.error,
                },
            )
        )
    # failed / needs_check / late are held: one outage is one message per account, listing
    # the posts (review/publishing/alert_groups.py); a platform's content verdict is per post
    facts = {"account_id": target.account_id, "account": target.key, "title": title}
    if outcome.notify:
        label = PUBLICATION_LABELS[outcome.status]
        await notify(
            session,
            kind=outcome.notify,
            subject=subject,
            text=f"「{title}」（{target.key}）{label}：{outcome.error or ''}",
            department_id=target.department_id,
            payload={"publication_id": pub.id, "status": str(outcome.status), **facts},
            dedup_key=f"{subject}:{outcome.status}:{pub.attempts}",
            held=outcome.notify in GROUPED_KINDS,
            at=at,
        )
    if late is not None and late > rules.LATE_NOTICE_SECONDS:
        first_due = pub.scheduled_for or pub.due_at
        minutes = late / 60
        await notify(
            session,
            kind="publication_late",
            subject=subject,
            text=f"「{title}」（{target.key}）原定 {fmt(first_due)} 发布，"
            f"实际晚了 {minutes:.0f} 分钟（服务停机或平台故障后补发）。",
            department_id=target.department_id,
            payload={"publication_id": pub.id, "late_seconds": round(late, 1), **facts},
            dedup_key=f"{subject}:late",
            held=True,
            at=at,
        )
        log.warning("publication %d published %.0f s late", pub.id, late)
