"""Recording the outcome of publish attempts: outcomes that complete together share one
short transaction.

The notification and the audit event are written in the same transaction as the status change,
so staff are told exactly once for exactly the change that happened. ``record`` hands the outcome
to a collector (batching.py) that waits a few milliseconds for others, then commits them all at
once: each row is still updated only while it is ``publishing`` *and* ours, the audit chain is
extended with one lock (``audit.append_many``), and the platform call is long over (no
transaction spans it).

``mark_sending`` is the other side of the call: the row is marked, committed, just before it
(marks of calls starting together share one transaction), so after a crash the database tells
a row that may have been sent from one that surely was not. Claims (claiming.py) run in the same
writer's transactions (``in_writes``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession

from review.db import SessionFactory
from review.models import Publication, Revision
from review.notify import notify
from review.publishing import rules
from review.publishing.alert_groups import GROUPED_KINDS
from review.publishing.batching import Batcher
from review.states import PUBLICATION_LABELS
from review.states import PublicationStatus as P
from review.store import audit
from review.store import publications as store
from review.timefmt import fmt

log = logging.getLogger("newmedia.publisher")
R = TypeVar("R")

#: told of each outcome once it is stored: the account's key, the outcome, and whether it came
#: late (``record_late``) — the service counts them for /metrics (bot/metrics/publishing.py)
OutcomeObserver = Callable[[str, rules.Outcome, bool], None]

#: how long the collector waits for more outcomes before committing a batch (seconds)
BATCH_WINDOW = 0.003
#: most outcomes in one transaction
BATCH_MAX = 200
#: a batch holding a sending mark is not held back: only what is queued in the same turn of the
#: loop, or while the previous batch commits, goes with it (``Batcher.urgent``)
#: while marks keep coming (a burst), outcomes wait up to this long so the marks commit in short
#: transactions of their own; a crash meanwhile leaves marked rows, found by reconciliation
OUTCOME_HOLD = 1.0


@dataclass(frozen=True)
class Target:
    """Where a publication goes and who owns it."""

    key: str
    account_id: int
    department_id: int
    revision: Revision


@dataclass
class _Pending:
    pub: Publication
    target: Target
    outcome: rules.Outcome
    accepted_at: datetime | None
    expected: P


@dataclass(frozen=True)
class _Mark:
    publication_id: int


@dataclass
class _Work:
    """Work done in the writer's transaction (a claim: claiming.py); its result is kept here."""

    run: Callable[[AsyncSession], Awaitable[Any]]
    result: Any = None


class Recorder:
    def __init__(
        self,
        sessions: SessionFactory,
        worker: str,
        clock: Callable[[], datetime],
        *,
        window: float = BATCH_WINDOW,
        max_batch: int = BATCH_MAX,
        hold: float = OUTCOME_HOLD,
    ) -> None:
        self.sessions = sessions
        self.worker = worker
        self.clock = clock
        # one writer for both: on SQLite every commit is serialised, and in a drain the marks of
        # calls about to start and the outcomes of calls just answered arrive side by side
        self._writes: Batcher[_Pending | _Mark | _Work] = Batcher(
            self._commit,
            window=window,
            max_batch=max_batch,
            what="publication writes",
            urgent=lambda item: not isinstance(item, _Pending),
            hold=hold,
        )
        #: transactions committed by the collector (tests and the benchmark read it)
        self.batches = 0
        #: sending-mark transactions committed
        self.mark_batches = 0
        self.observers: list[OutcomeObserver] = []

    async def record(
        self,
        pub: Publication,
        target: Target,
        outcome: rules.Outcome,
        accepted_at: datetime | None,
        *,
        expected: P = P.PUBLISHING,
    ) -> bool:
        """Record one outcome (batched with others); false when the row is no longer ours."""
        stored = await self._writes.submit(_Pending(pub, target, outcome, accepted_at, expected))
        if stored:
            for observe in self.observers:
                observe(target.key, outcome, False)
        return stored

    async def _commit(self, batch: list[_Pending | _Mark | _Work]) -> list[bool]:
        """Marks first (a call waits on each), then outcomes, then claims, in one transaction."""
        ids = [item.publication_id for item in batch if isinstance(item, _Mark)]
        outcomes = [item for item in batch if isinstance(item, _Pending)]
        async with self.sessions.begin() as session:
            marked = (
                await store.mark_sending(session, ids, worker=self.worker, now=self.clock())
                if ids
                else set()
            )
            recorded = iter(await self.apply_many(session, outcomes) if outcomes else [])
            for item in batch:
                if isinstance(item, _Work):
                    item.result = await item.run(session)
        self.batches += 1
        self.mark_batches += bool(ids)
        # a row queued twice (claimed again by this worker) is sent by its first job only
        first = {pid: index for index, pid in reversed(list(enumerate(ids)))}
        marks = iter(pid in marked and first[pid] == i for i, pid in enumerate(ids))
        return [
            next(marks)
            if isinstance(item, _Mark)
            else True
            if isinstance(item, _Work)
            else next(recorded)
            for item in batch
        ]

    async def in_writes(self, run: Callable[[AsyncSession], Awaitable[R]]) -> R:
        """``run`` in the writer's next transaction, with the marks and outcomes queued now (on
        SQLite a second writer would only queue on the database lock); its result."""
        work = _Work(run)
        await self._writes.submit(work)
        return cast(R, work.result)

    async def mark_sending(self, publication_id: int) -> bool:
        """Mark our row as about to be sent, committed before this returns (with the marks of
        calls starting together); false when the row is no longer ours: then it is not sent."""
        return await self._writes.submit(_Mark(publication_id))

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
        """Apply one outcome inside the caller's transaction."""
        [ok] = await self.apply_many(
            session, [_Pending(pub, target, outcome, accepted_at, expected)]
        )
        return ok

    async def apply_many(self, session: AsyncSession, batch: list[_Pending]) -> list[bool]:
        """Guarded status changes, then each recorded change's audit event and notifications."""
        now = self.clock()
        lates: list[float | None] = [
            rules.lateness(i.pub.scheduled_for or i.pub.due_at, i.accepted_at)
            if i.accepted_at is not None
            else None
            for i in batch
        ]
        rows = [
            store.OutcomeRow(i.pub.id, i.outcome, late, i.expected)
            for i, late in zip(batch, lates, strict=True)
        ]
        results = await store.record_many(session, rows, worker=self.worker, now=now)
        events: list[audit.NewEvent] = []
        for item, late, ok in zip(batch, lates, results, strict=True):
            if ok:
                await self._effects(session, item, late, events)
            else:
                log.warning(
                    "publication %d changed under us; outcome %s not recorded",
                    item.pub.id,
                    item.outcome.status,
                )
        await audit.append_many(session, events)
        return results

    async def _effects(
        self,
        session: AsyncSession,
        item: _Pending,
        late: float | None,
        events: list[audit.NewEvent],
    ) -> None:
        pub, target, outcome = item.pub, item.target, item.outcome
        log.info("publication %d → %s", pub.id, outcome.status)
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
                at=self.clock(),
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
                at=self.clock(),
            )
            log.warning("publication %d published %.0f s late", pub.id, late)

    async def record_late(
        self, pub: Publication, target: Target, outcome: rules.Outcome
    ) -> P | None:
        """Our call returned after a reconciler took the row over (lease ran out): whatever the
        platform returned is stored on the row anyway, audited, and never thrown away."""
        async with self.sessions.begin() as session:
            status = await store.record_late(
                session,
                pub.id,
                worker=self.worker,
                attempts=pub.attempts,
                outcome=outcome,
                now=self.clock(),
            )
            if status is None:
                log.warning("publication %d: late receipt matched no row", pub.id)
                return None
            await audit.append(
                session,
                actor="system",
                action="publication.late_receipt",
                subject_type="publication",
                subject_id=pub.id,
                detail={
                    "account": target.key,
                    "attempts": pub.attempts,
                    "receipt": str(outcome.status),
                    "status": str(status),
                    "remote_id": outcome.remote_id,
                },
            )
        log.warning("publication %d: late platform receipt kept (now %s)", pub.id, status)
        for observe in self.observers:
            observe(target.key, outcome, True)
        return status

    @asynccontextmanager
    async def holding(self, publication_id: int, lease_seconds: float) -> AsyncIterator[None]:
        """Keep our lease on a row while a platform call runs (a heartbeat in its own short
        transactions), so the reconcile tick does not take over a call that is merely slow."""
        task = asyncio.ensure_future(self._heartbeat(publication_id, lease_seconds))
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    async def _heartbeat(self, publication_id: int, lease_seconds: float) -> None:
        every = lease_seconds / 3
        while True:
            await asyncio.sleep(every)
            until = self.clock() + timedelta(seconds=lease_seconds)
            try:
                async with self.sessions.begin() as session:
                    kept = await store.renew_lease(
                        session, publication_id, worker=self.worker, until=until
                    )
            except Exception:  # the DB blinked: try again next beat; the lease has slack
                log.warning("renewing the lease of publication %d failed", publication_id)
                continue
            if not kept:
                log.warning("publication %d is no longer ours; lease not renewed", publication_id)
                return

    async def release(self, publication_id: int) -> None:
        async with self.sessions.begin() as session:
            await store.release(session, publication_id, worker=self.worker)
