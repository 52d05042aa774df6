"""Recording the outcome of one publish attempt, each in its own short transaction.

The notification and the audit event are written in the same transaction as the status change,
so staff are told exactly once for exactly the change that happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review import publishing as rules
from review.db import SessionFactory
from review.models import Publication, Revision
from review.notify import notify
from review.states import PUBLICATION_LABELS
from review.states import PublicationStatus as P
from review.store import audit
from review.store import publications as store
from review.timefmt import fmt

log = logging.getLogger("newmedia.publisher")


@dataclass(frozen=True)
class Target:
    """Where a publication goes and who owns it."""

    key: str
    account_id: int
    department_id: int
    revision: Revision


class Recorder:
    def __init__(
        self, sessions: SessionFactory, worker: str, clock: Callable[[], datetime]
    ) -> None:
        self.sessions = sessions
        self.worker = worker
        self.clock = clock

    async def record(
        self,
        pub: Publication,
        target: Target,
        outcome: rules.Outcome,
        accepted_at: datetime | None,
        *,
        expected: P = P.PUBLISHING,
    ) -> bool:
        async with self.sessions.begin() as session:
            return await self.apply(session, pub, target, outcome, accepted_at, expected=expected)

    async def apply(
        self,
        session: AsyncSession,
        pub: Publication,
        target: Target,
        outcome: rules.Outcome,
        accepted_at: datetime | None,
        *,
        expected: P = P.PUBLISHING,
    ) -> bool:
        now = self.clock()
        first_due = pub.scheduled_for or pub.due_at
        late = rules.lateness(first_due, accepted_at) if accepted_at is not None else None
        ok = await store.record(
            session,
            pub.id,
            worker=self.worker,
            outcome=outcome,
            now=now,
            late_seconds=late,
            expected=expected,
        )
        if not ok:
            log.warning(
                "publication %d changed under us; outcome %s not recorded", pub.id, outcome.status
            )
            return False
        log.info("publication %d → %s", pub.id, outcome.status)
        title = target.revision.title
        subject = f"publication:{pub.id}"
        if outcome.status is not P.SCHEDULED:
            await audit.append(
                session,
                actor="system",
                action=f"publication.{outcome.status}",
                subject_type="publication",
                subject_id=pub.id,
                detail={
                    "account": target.key,
                    "attempts": pub.attempts,
                    "remote_id": outcome.remote_id,
                    "error": outcome.error,
                },
            )
        if outcome.notify:
            label = PUBLICATION_LABELS[outcome.status]
            await notify(
                session,
                kind=outcome.notify,
                subject=subject,
                text=f"「{title}」（{target.key}）{label}：{outcome.error or ''}",
                department_id=target.department_id,
                payload={"publication_id": pub.id, "status": str(outcome.status)},
                dedup_key=f"{subject}:{outcome.status}:{pub.attempts}",
            )
        if late is not None and late > rules.LATE_NOTICE_SECONDS:
            minutes = late / 60
            await notify(
                session,
                kind="publication_late",
                subject=subject,
                text=f"「{title}」（{target.key}）原定 {fmt(first_due)} 发布，"
                f"实际晚了 {minutes:.0f} 分钟（服务停机或平台故障后补发）。",
                department_id=target.department_id,
                payload={"publication_id": pub.id, "late_seconds": round(late, 1)},
                dedup_key=f"{subject}:late",
            )
            log.warning("publication %d published %.0f s late", pub.id, late)
        return True

    async def release(self, publication_id: int) -> None:
        async with self.sessions.begin() as session:
            await store.release(session, publication_id, worker=self.worker)
