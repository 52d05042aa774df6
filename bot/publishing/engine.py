"""The publish tick: claim due rows → commit → call channels concurrently → record each.

No transaction is ever open across a platform call. Calls run concurrently, at most
``concurrency_per_account`` at a time per account (each account has its own platform limits);
outcomes are recorded by ``Recorder``, which commits those completing together in one
transaction (bot/publishing/recording.py).
A claimed row is only sent while its lease has time left; rows not yet sent when the service
stops are handed back, so a stop never loses or duplicates a post.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.publishing.recording import Recorder, Target
from bot.settings import PublishingSettings
from channels.base import Channel, Post
from review import publishing as rules
from review.db import SessionFactory
from review.drafts import content_hash
from review.models import Publication, utcnow
from review.notify import notify
from review.states import PublicationStatus
from review.store import audit
from review.store import publications as store

log = logging.getLogger("newmedia.publisher")

Claim = Callable[..., Awaitable[list[Publication]]]
#: called with the publication id right after the platform answered, before the record (tests)
AfterCall = Callable[[int], None]


@dataclass(frozen=True)
class PostOptions:
    """Per-account choices the settings make about every post."""

    push_to_followers: bool = False
    link_url: str | None = None
    default_cover: str | None = None


@dataclass
class Job:
    pub: Publication
    target: Target
    post: Post
    started: bool = False


def worker_name() -> str:
    return f"{socket.gethostname()[:24]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass
class Publisher:
    sessions: SessionFactory
    channels: Mapping[str, Channel]
    config: PublishingSettings
    options: Mapping[str, PostOptions] = field(default_factory=dict)
    worker: str = field(default_factory=worker_name)
    clock: Callable[[], datetime] = utcnow
    claim: Claim = store.claim_due
    after_call: AfterCall | None = None
    _stopping: bool = False
    _inflight: set[asyncio.Task[None]] = field(default_factory=set)
    _limits: dict[str, asyncio.Semaphore] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.policy = rules.RetryPolicy(
            self.config.max_attempts,
            self.config.backoff_base_seconds,
            self.config.backoff_cap_seconds,
        )
        self.recorder = Recorder(self.sessions, self.worker, self.clock)

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
                jobs, claimed = await self._claim_batch(limit)
                total += claimed
                more = claimed >= limit
                for job in jobs:
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

    async def _claim_batch(self, limit: int) -> tuple[list[Job], int]:
        now = self.clock()
        async with self.sessions.begin() as session:
            rows = await self.claim(
                session,
                now=now,
                limit=limit,
                worker=self.worker,
                lease_seconds=self.config.lease_seconds,
            )
            if not rows:
                return [], 0
            context = await store.load_context(session, [p.id for p in rows])
            pairs = [(p.revision_id, p.account_id) for p in rows]
            pinned = await store.approved_hashes(session, pairs)
            jobs: list[Job] = []
            for pub in rows:
                revision, account = context[pub.id]
                target = Target(account.key, account.id, account.owner_department_id, revision)
                approved = pinned.get((pub.revision_id, pub.account_id), [])
                if rules.hash_mismatch(revision, content_hash(revision), approved):
                    await self._cancel_unapproved(session, pub, target, now)
                    continue
                if target.key not in self.channels:
                    await self._no_channel(session, pub, target, now)
                    continue
                jobs.append(Job(pub, target, self.build(pub, target)))
        log.info("claimed %d publication(s) (%d to send)", len(rows), len(jobs))
        return jobs, len(rows)

    async def _cancel_unapproved(
        self, session: Any, pub: Publication, target: Target, now: datetime
    ) -> None:
        """先审后发: content that is not exactly what was approved never goes out."""
        reason = "内容与审核通过的版本不一致（或未经全部审核），已取消发布"
        await store.cancel(session, pub.id, reason, now)
        await audit.append(
            session,
            actor="system",
            action="publication.cancel",
            subject_type="publication",
            subject_id=pub.id,
            detail={"reason": "hash_mismatch", "revision": pub.revision_id},
        )
        await notify(
            session,
            kind="publication_failed",
            subject=f"publication:{pub.id}",
            text=f"「{target.revision.title}」{reason}。请重新提交审核。",
            department_id=target.department_id,
            dedup_key=f"publication:{pub.id}:cancelled",
        )

    async def _no_channel(
        self, session: Any, pub: Publication, target: Target, now: datetime
    ) -> None:
        outcome = rules.Outcome(
            PublicationStatus.FAILED,
            error=f"账号 {target.key} 未配置发布通道",
            notify="publication_failed",
        )
        await self.recorder.apply(session, pub, target, outcome, None)

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


PUBLISHER = web.AppKey("publisher", Publisher)
