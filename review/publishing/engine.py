"""The publish tick: claim due rows → call channels concurrently → record each.

No transaction is ever open across a platform call. Calls run concurrently, at most
``concurrency_per_account`` at a time per account (each account has its own platform limits);
outcomes are recorded by an ``OutcomeLog``, which commits those completing together in one
transaction (review/publishing/recording.py).
A claimed row is only sent while its lease has time left; rows not yet sent when the service
stops are handed back, so a stop never loses or duplicates a post.

``Engine`` reaches storage only through two narrow seams, ``ClaimSource`` and ``OutcomeLog``;
``Publisher`` is the engine over the database (claiming.py, recording.py), and unit tests drive
the engine with fakes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from channels.base import Channel, Post
from review.db import SessionFactory
from review.models import Publication, utcnow
from review.publishing import rules
from review.publishing.claiming import Claim, Claimed, DbClaims
from review.publishing.config import PostOptions, PublishingConfig
from review.publishing.recording import Recorder, Target
from review.states import PublicationStatus
from review.store import publications as store

log = logging.getLogger("newmedia.publisher")

#: called with the publication id right after the platform answered, before the record (tests)
AfterCall = Callable[[int], None]


class ClaimSource(Protocol):
    """Where due rows come from: each claimed row is this worker's until recorded or released."""

    async def claim(self, limit: int) -> Claimed: ...


class OutcomeLog(Protocol):
    """Where what the platform answered is kept (``recording.Recorder``)."""

    async def record(
        self,
        pub: Publication,
        target: Target,
        outcome: rules.Outcome,
        accepted_at: datetime | None,
        *,
        expected: PublicationStatus = ...,
    ) -> bool: ...

    async def record_late(
        self, pub: Publication, target: Target, outcome: rules.Outcome
    ) -> PublicationStatus | None: ...

    def holding(
        self, publication_id: int, lease_seconds: float
    ) -> AbstractAsyncContextManager[None]: ...

    async def release(self, publication_id: int) -> None: ...


@dataclass
class Job:
    pub: Publication
    target: Target
    post: Post
    started: bool = False


def worker_name() -> str:
    return f"{socket.gethostname()[:24]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass
class Engine:
    channels: Mapping[str, Channel]
    config: PublishingConfig
    claims: ClaimSource
    recorder: OutcomeLog
    options: Mapping[str, PostOptions] = field(default_factory=dict)
    clock: Callable[[], datetime] = utcnow
    after_call: AfterCall | None = None
    _stopping: bool = field(default=False, init=False)
    _inflight: set[asyncio.Task[None]] = field(default_factory=set, init=False)
    _limits: dict[str, asyncio.Semaphore] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.policy = rules.RetryPolicy(
            self.config.max_attempts,
            self.config.backoff_base_seconds,
            self.config.backoff_cap_seconds,
        )

    def limit(self, account_key: str) -> asyncio.Semaphore:
        sem = self._limits.get(account_key)
        if sem is None:
            sem = self._limits[account_key] = asyncio.Semaphore(self.config.concurrency_per_account)
        return sem

    def build(self, pub: Publication, target: Target) -> Post:
        opts = self.options.get(target.key, PostOptions())
        return rules.build_post(
            pub,
            target.revision,
            target.key,
            push_to_followers=opts.push_to_followers,
            link_url=opts.link_url,
            default_cover=opts.default_cover,
        )

    # ---- the tick ------------------------------------------------------------------------------

    async def publish_due(self) -> int:
        """Drain everything due now; returns how many rows were claimed.

        Claims are pipelined: as soon as half a batch has finished, the next rows are claimed
        (up to ``batch_size`` in flight), so a slow post never holds back the batch behind it."""
        total = 0
        running: set[asyncio.Task[None]] = set()
        size = self.config.batch_size
        refill = size // 2
        room = asyncio.Event()
        more = True

        def finished(task: asyncio.Task[None]) -> None:
            running.discard(task)
            self._inflight.discard(task)
            if not task.cancelled() and task.exception() is not None:
                # the row stays ``publishing``; its lease runs out and it is reconciled
                log.error("publish task failed", exc_info=task.exception())
            if len(running) <= refill:
                room.set()

        while True:
            if more and not self._stopping and len(running) <= refill:
                limit = size - len(running)
                claimed = await self.claims.claim(limit)
                total += claimed.taken
                more = claimed.taken >= limit
                for pub, target in claimed.sendable:
                    job = Job(pub, target, self.build(pub, target))
                    task = asyncio.ensure_future(self._run(job))
                    running.add(task)
                    self._inflight.add(task)
                    task.add_done_callback(finished)
                continue
            if not running:
                break
            if more and not self._stopping:
                room.clear()
                if len(running) > refill:
                    await room.wait()
            else:
                await asyncio.wait(set(running))
        return total

    async def _run(self, job: Job) -> None:
        async with self.limit(job.target.key):
            lease = job.pub.lease_until
            margin = timedelta(seconds=min(30.0, self.config.lease_seconds / 4))
            if self._stopping or (lease is not None and self.clock() > lease - margin):
                await self.recorder.release(job.pub.id)
                return
            job.started = True
            channel = self.channels[job.target.key]
            accepted_at: datetime | None = None
            ambiguous = rules.was_ambiguous(job.pub)
            try:
                # the lease is renewed while the call runs: a slow platform is not "a crash"
                async with self.recorder.holding(job.pub.id, self.config.lease_seconds):
                    outcome = await self._attempt(channel, job, ambiguous)
                if outcome.platform_accepted:
                    accepted_at = self.clock()
            except Exception as exc:  # the closed error set, or a bug: rules decide
                outcome = rules.from_error(
                    exc, job.pub.attempts, self.policy, self.clock(), ambiguous=ambiguous
                )
                log.warning(
                    "publication %d attempt %d: %s (code %s)",
                    job.pub.id,
                    job.pub.attempts,
                    type(exc).__name__,
                    getattr(exc, "code", None),
                )
        # the platform has answered: free the account's slot for the next call while we record
        if self.after_call is not None:
            self.after_call(job.pub.id)
        if await self.recorder.record(job.pub, job.target, outcome, accepted_at):
            return
        if rules.carries_receipt(outcome):
            # a reconciler took the row over meanwhile: keep what the platform told us anyway
            await self.recorder.record_late(job.pub, job.target, outcome)

    async def _attempt(self, channel: Channel, job: Job, ambiguous: bool) -> rules.Outcome:
        """Publish; after an ambiguous failure only look for the post on the platform: what is
        not found there goes to a human, never out a second time."""
        if ambiguous:
            found = await channel.check(job.post, rules.receipt_of(job.pub))
            log.info("publication %d checked after an unclear attempt: %s", job.pub.id, found.state)
            return rules.after_ambiguous(found)
        return rules.from_receipt(await channel.publish(job.post))

    # ---- shutdown ------------------------------------------------------------------------------

    async def stop(self, grace: float = 8.0) -> None:
        """Stop claiming; let calls already under way finish (their rows are recorded)."""
        self._stopping = True
        pending = list(self._inflight)
        if pending:
            log.info("waiting for %d publication call(s) in flight", len(pending))
            await asyncio.wait(pending, timeout=grace)

    @property
    def stopping(self) -> bool:
        return self._stopping


class Publisher(Engine):
    """The engine over the database, claiming and recording as ``worker``. Reconciliation
    (reconciliation.py) takes a ``Publisher``: it queries the same database as the same worker."""

    recorder: Recorder

    def __init__(
        self,
        sessions: SessionFactory,
        channels: Mapping[str, Channel],
        config: PublishingConfig,
        *,
        options: Mapping[str, PostOptions] | None = None,
        worker: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        claim: Claim = store.claim_due,
        after_call: AfterCall | None = None,
    ) -> None:
        self.sessions = sessions
        self.worker = worker or worker_name()
        recorder = Recorder(sessions, self.worker, clock)
        claims = DbClaims(
            sessions,
            recorder,
            worker=self.worker,
            clock=clock,
            lease_seconds=config.lease_seconds,
            channels=channels,
            claim=claim,
        )
        super().__init__(channels, config, claims, recorder, dict(options or {}), clock, after_call)
