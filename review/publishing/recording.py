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
writer's transactions (``in_writes``). On PostgreSQL the marks have a writer of their own (one
autocommit statement a batch), so a call never waits behind a batch of outcomes or a claim; on
SQLite, which serialises every writer, they share the one. In a burst the outcomes wait while
calls are starting (``OUTCOME_HOLD``).
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

from review.db import SessionFactory, autocommit, writers_side_by_side
from review.models import Publication
from review.publishing import rules
from review.publishing.batching import Batcher
from review.publishing.outcome_effects import outcome_effects
from review.publishing.targets import Target
from review.states import PublicationStatus as P
from review.store import audit
from review.store import publications as store

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
#: marks coming this close together (``batching.BURST`` of them within it) mean a burst of calls
#: is starting: outcomes keep waiting (within ``OUTCOME_HOLD``), so recording what was sent leaves
#: the loop to what is about to be sent; one call now and then is recorded at once
CALLS_STARTING = 0.02


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
        # SQLite: one writer for all (every commit is serialised, and in a drain the marks of
        # calls about to start and the outcomes of calls just answered arrive side by side);
        # PostgreSQL: the marks apart, each batch one autocommit statement
        self._writes: Batcher[_Pending | _Mark | _Work] = Batcher(
            self._commit,
            window=window,
            max_batch=max_batch,
            what="publication writes",
            urgent=lambda item: not isinstance(item, _Pending),
            hold=hold,
            busy=self._calls_starting,
        )
        self._marks: Batcher[_Pending | _Mark | _Work] = self._writes
        if writers_side_by_side(sessions):
            self._marks = Batcher(
                self._commit_marks,
                window=0.0,
                max_batch=max_batch,
                what="sending marks",
                urgent=lambda item: True,
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
        marks = iter(_first_marks(ids, marked))
        return [
            next(marks)
            if isinstance(item, _Mark)
            else True
            if isinstance(item, _Work)
            else next(recorded)
            for item in batch
        ]

    def _calls_starting(self) -> bool:
        return self._marks.urgent_burst(CALLS_STARTING)

    async def _commit_marks(self, batch: list[_Pending | _Mark | _Work]) -> list[bool]:
        """The marks writer's batch (PostgreSQL): one UPDATE that commits by itself."""
        ids = [item.publication_id for item in batch if isinstance(item, _Mark)]
        assert len(ids) == len(batch), "only marks go to the marks writer"
        async with autocommit(self.sessions) as conn:
            marked = await store.mark_sending(conn, ids, worker=self.worker, now=self.clock())
        self.batches += 1
        self.mark_batches += 1
        return _first_marks(ids, marked)

    async def in_writes(self, run: Callable[[AsyncSession], Awaitable[R]]) -> R:
        """``run`` in the writer's next transaction, with the marks and outcomes queued now (on
        SQLite a second writer would only queue on the database lock); its result."""
        work = _Work(run)
        await self._writes.submit(work)
        return cast(R, work.result)

    async def mark_sending(self, publication_id: int) -> bool:
        """Mark our row as about to be sent, committed before this returns (with the marks of
        calls starting together); false when the row is no longer ours: then it is not sent."""
        return await self._marks.submit(_Mark(publication_id))

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
                log.info("publication %d → %s", item.pub.id, item.outcome.status)
                await outcome_effects(
                    session, item.pub, item.target, item.outcome, late, events, self.clock()
                )
            else:
                log.warning(
                    "publication %d changed under us; outcome %s not recorded",
                    item.pub.id,
                    item.outcome.status,
                )
        await audit.append_many(session, events)
        return results

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


def _first_marks(ids: list[int], marked: set[int]) -> list[bool]:
    """Per mark, whether it may be sent: a row queued twice (claimed again by this worker) is
    sent by its first job only."""
    first = {pid: index for index, pid in reversed(list(enumerate(ids)))}
    return [pid in marked and first[pid] == i for i, pid in enumerate(ids)]
