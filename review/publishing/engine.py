"""The publish tick: claim due rows → mark each sending → call channels concurrently → record.

A row due within ``prepare_ahead_seconds`` is claimed and its private steps done now (WeChat
draft and uploads, rendering); its public call waits for the due time without holding a call
slot (``_until_due``), so a burst due at one minute costs only the public calls after it.

No transaction is ever open across a platform call. At most ``concurrency_per_account`` calls
run per account. Of the rows already due a claim takes only the free call slots, so little is
held that is not being sent (a row whose call has answered no longer counts: its outcome is
being recorded, and the next claim does not wait for that); rows not yet due are claimed beyond
them, up to ``prepare_ahead_rows`` held in all, and do not count against the slots while they
are prepared, so they never hold back a row that is due now. Just before its call a row is marked sending, committed (recording.py): after a
crash the database knows which rows may have gone out (reconciled) and which surely did not
(handed back). Stopping: nothing new is claimed or sent, calls under way get ``grace``, then
every row of ours never marked goes back to ``scheduled`` in one UPDATE; a row whose call is
still under way keeps its mark and is reconciled when its lease runs out.

``Engine`` reaches storage only through the seams in seams.py; ``Publisher`` (publisher.py) is the
engine over the database (claiming.py, recording.py); unit tests drive the engine with fakes.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from channels.base import Channel, Post
from review.models import Publication, utcnow
from review.publishing import rules
from review.publishing.config import PostOptions, PublishingConfig
from review.publishing.seams import AfterCall as AfterCall
from review.publishing.seams import CallHook, ClaimSource, OutcomeLog, Timer, within
from review.publishing.targets import Target

log = logging.getLogger("newmedia.publisher")


class _NotSent(Exception):
    """Raised through the channel at its public step: the row was not marked, so no call."""


@dataclass
class Job:
    pub: Publication
    target: Target
    post: Post
    #: its mark is committed and its call is about to start (or has)
    started: bool = False
    #: it holds its account's call slot
    slot: bool = False


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
    after_call: CallHook | None = None
    before_call: CallHook | None = None
    #: waits until a prepared row is due (``asyncio.sleep``; tests pass one they control)
    sleep: Timer = asyncio.sleep
    _stopping: bool = field(default=False, init=False)
    _halted: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    #: jobs prepared ahead, waiting for their due time: no call slot held, not yet marked
    _early: set[asyncio.Task[None]] = field(default_factory=set, init=False)
    #: jobs claimed before their row was due, until their private steps are done
    _preparing: set[asyncio.Task[None]] = field(default_factory=set, init=False)
    _inflight: set[asyncio.Task[None]] = field(default_factory=set, init=False)
    #: jobs waiting for their account's call slot (cancelled by ``halt``: none is ever started)
    _waiting: set[asyncio.Task[None]] = field(default_factory=set, init=False)
    #: one per running ``publish_due``: set when it may claim again, or must stop
    _rooms: set[asyncio.Event] = field(default_factory=set, init=False)
    #: jobs whose platform call has not answered yet: what a claim counts against (a job whose
    #: call answered is only being recorded; its row is not waiting to be sent)
    _unanswered: set[asyncio.Task[None]] = field(default_factory=set, init=False)
    _limits: dict[str, asyncio.Semaphore] = field(default_factory=dict, init=False)
    _stop_task: asyncio.Task[int] | None = field(default=None, init=False)

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

    def _free(self) -> int:
        """Call slots not held by a job whose call has not answered, other than jobs of rows
        not yet due (prepared, or waiting for their due time): how many rows due now a claim
        may take, so rows prepared ahead never hold back one that is due."""
        ahead = len(self._early) + len(self._preparing)
        return self.capacity - (len(self._unanswered) - ahead)

    def _ahead(self, free: int) -> float:
        """How far ahead the next claim of ``free`` rows may reach: rows already due are always
        taken; rows due soon only while the rows held stay within ``prepare_ahead_rows``."""
        if len(self._unanswered) + free <= self.config.prepare_ahead_rows:
            return self.config.prepare_ahead_seconds
        return 0.0

    def _ahead_rows(self, free: int) -> int:
        """Rows not yet due that a claim may take beyond the free call slots: a burst due at one
        minute is prepared in a few large claims (one each ``batch_size``), within the
        ceiling of rows held (``prepare_ahead_rows``)."""
        held = len(self._unanswered) + free
        return max(0, min(self.config.batch_size, self.config.prepare_ahead_rows - held))

    @property
    def capacity(self) -> int:
        """Rows held at most: every account's call slots (``batch_size`` only caps it)."""
        slots = self.config.concurrency_per_account * max(1, len(self.channels))
        return max(1, min(self.config.batch_size, slots))

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

        A claim takes only the free call slots, and the next is made as soon as half of them
        are free again, so a slow post never holds back the rows behind it and a crash leaves
        few rows claimed. Returns at once when stopping (``stop`` looks after calls under way)."""
        total = 0
        running: set[asyncio.Task[None]] = set()
        capacity = self.capacity
        refill = (capacity + 1) // 2
        room = asyncio.Event()
        self._rooms.add(room)
        more = True

        def finished(task: asyncio.Task[None]) -> None:
            running.discard(task)
            self._inflight.discard(task)
            self._preparing.discard(task)
            self._unanswered.discard(task)  # cancelled before it ran
            if not task.cancelled() and task.exception() is not None:
                # the row stays ``publishing``; its lease runs out: handed back or reconciled
                log.error("publish task failed", exc_info=task.exception())
            if not running:
                room.set()

        try:
            while not self._stopping:
                free = self._free()
                if more and free >= refill:
                    ahead = self._ahead(free)
                    claimed = await self.claims.claim(
                        free, ahead=ahead, ahead_rows=self._ahead_rows(free) if ahead else 0
                    )
                    total += claimed.taken
                    more = claimed.taken >= free
                    if self._stopping:  # the stop came during the claim: none of it is sent
                        await self.claims.hand_back()
                        break
                    now = self.clock()
                    for pub, target in claimed.sendable:
                        task = asyncio.ensure_future(
                            self._run(Job(pub, target, self.build(pub, target)))
                        )
                        if pub.due_at is not None and pub.due_at > now:
                            self._preparing.add(task)
                        running.add(task)
                        self._inflight.add(task)
                        self._unanswered.add(task)
                        task.add_done_callback(finished)
                    continue
                if not running:
                    break
                room.clear()
                await room.wait()
        finally:
            self._rooms.discard(room)
        return total

    async def _run(self, job: Job) -> None:
        try:
            called = await self._send(job)
        finally:
            self._answered(asyncio.current_task())
        if called is None:  # refused at the public step: nothing went out, nothing to record
            return
        outcome, accepted_at = called
        if self.after_call is not None:
            self.after_call(job.pub.id)
        if await self.recorder.record(job.pub, job.target, outcome, accepted_at):
            return
        if rules.carries_receipt(outcome):
            # a reconciler took the row over meanwhile: keep what the platform told us anyway
            await self.recorder.record_late(job.pub, job.target, outcome)

    def _answered(self, task: asyncio.Task[Any] | None) -> None:
        """A job's call answered (or never started): its place may be claimed again while its
        outcome is recorded."""
        if task is not None:
            self._unanswered.discard(task)
            self._preparing.discard(task)  # ended in its private steps: counted nowhere now
        if self._free() >= (self.capacity + 1) // 2:
            for room in self._rooms:
                room.set()

    async def _send(self, job: Job) -> tuple[rules.Outcome, datetime | None] | None:
        """Wait for the account's call slot, then call; None when nothing was sent."""
        sem = self.limit(job.target.key)
        task = asyncio.current_task()
        if task is not None:
            self._waiting.add(task)
        try:
            await sem.acquire()  # a stop cancels the job here: nothing was marked or sent
            job.slot = True
        finally:
            if task is not None:
                self._waiting.discard(task)
        try:
            if not await self._clear_to_start(job):
                return None
            return await self._call(job)
        finally:
            # the platform has answered: free the account's slot for the next call while we record
            if job.slot:
                job.slot = False
                sem.release()

    async def _clear_to_start(self, job: Job) -> bool:
        """A row is worked on only while its lease has time left and nobody asked us to stop;
        otherwise it goes back unsent."""
        lease = job.pub.lease_until
        margin = timedelta(seconds=min(30.0, self.config.lease_seconds / 4))
        if self._stopping or (lease is not None and self.clock() > lease - margin):
            await self.recorder.release(job.pub.id)
            return False
        if self.before_call is not None:
            self.before_call(job.pub.id)
        return True

    async def _going_public(self, job: Job) -> None:
        """The channel's private steps are done and its public call comes next: wait for the
        row's due time if it was prepared ahead, then mark it sending, committed, or stop here
        (the row is not ours, or we are stopping)."""
        task = asyncio.current_task()
        if task is not None:
            self._preparing.discard(task)  # its private steps are done: due now, or early
        if not await self._until_due(job):
            await self.recorder.release(job.pub.id)
            raise _NotSent
        if not await self.recorder.mark_sending(job.pub.id):
            log.warning("publication %d is no longer ours before its call: not sent", job.pub.id)
            raise _NotSent
        if self._stopping:  # the stop came while the mark committed: nothing has gone out
            await self.recorder.release(job.pub.id)
            raise _NotSent
        job.started = True

    async def _until_due(self, job: Job) -> bool:
        """A row prepared ahead waits for its due time without its call slot (others' calls go
        on meanwhile), then takes the slot again; false when told to stop meanwhile."""
        due = job.pub.due_at
        ahead = (due - self.clock()).total_seconds() if due is not None else 0.0
        if ahead <= 0 or self._stopping:
            return not self._stopping
        task = asyncio.current_task()
        assert task is not None and job.slot
        sem = self.limit(job.target.key)
        job.slot = False
        sem.release()
        self._early.add(task)
        self._answered(None)  # its slot is free: the next claim may prepare more
        try:
            if await within(self._halted.wait(), ahead, self.sleep) is not None:
                return False
        finally:
            self._early.discard(task)
        self._waiting.add(task)  # a stop cancels it here: nothing was marked or sent
        try:
            await sem.acquire()
            job.slot = True
        finally:
            self._waiting.discard(task)
        return not self._stopping

    async def _call(self, job: Job) -> tuple[rules.Outcome, datetime | None] | None:
        channel = self.channels[job.target.key]
        ambiguous = rules.was_ambiguous(job.pub)
        try:
            # the lease is renewed while the call runs: a slow platform is not "a crash"
            async with self.recorder.holding(job.pub.id, self.config.lease_seconds):
                outcome = await self._attempt(channel, job, ambiguous)
        except _NotSent:
            return None
        except Exception as exc:  # the closed error set, or a bug: rules decide
            outcome = rules.from_error(
                exc, job.pub.attempts, self.policy, self.clock(), ambiguous=ambiguous,
                started=job.started,
            )  # fmt: skip
            log.warning(
                "publication %d attempt %d: %s (code %s)",
                job.pub.id,
                job.pub.attempts,
                type(exc).__name__,
                getattr(exc, "code", None),
            )
            return outcome, None
        return outcome, self.clock() if outcome.platform_accepted else None

    async def _attempt(self, channel: Channel, job: Job, ambiguous: bool) -> rules.Outcome:
        """Publish; after an ambiguous failure only look for the post on the platform: what is
        not found there goes to a human, never out a second time."""
        if ambiguous:
            found = await channel.check(job.post, rules.receipt_of(job.pub))
            log.info("publication %d checked after an unclear attempt: %s", job.pub.id, found.state)
            return rules.after_ambiguous(found)
        going_public = functools.partial(self._going_public, job)
        return rules.from_receipt(await channel.publish(job.post, going_public=going_public))

    # ---- shutdown ------------------------------------------------------------------------------

    def halt(self) -> None:
        """From now on nothing is claimed or sent: the service calls this the moment it is told
        to stop. Jobs waiting for a call slot end unsent (``stop`` hands their rows back)."""
        self._stopping = True
        self._halted.set()
        for room in self._rooms:
            room.set()
        for task in list(self._waiting):
            task.cancel()

    async def stop(
        self, grace: float, hand_back: float | None = None, *, timer: Timer = asyncio.sleep
    ) -> int:
        """``halt``; calls under way get ``grace`` seconds to finish and be recorded; then every
        row of ours never marked goes back to ``scheduled`` (within ``hand_back`` seconds).
        Returns how many went back. A second call waits for the first; it never waits twice."""
        self.halt()  # before the first await: once stop() is called, no new call starts
        if self._stop_task is None:
            self._stop_task = asyncio.ensure_future(self._stop(grace, hand_back, timer))
        return await asyncio.shield(self._stop_task)

    async def _stop(self, grace: float, hand_back: float | None, timer: Timer) -> int:
        calls = [t for t in self._inflight if not t.done()]
        if calls:
            log.info("waiting up to %.1f s for %d publication call(s) in flight", grace, len(calls))
            if await within(asyncio.wait(calls), grace, timer) is None:
                left = sum(not t.done() for t in calls)
                log.warning(
                    "%d publication call(s) still in flight at stop: reconciled later", left
                )
        handed = await within(self.claims.hand_back(), hand_back, timer)
        if handed is None:
            log.warning("handing back unsent publications timed out: their leases will")
        return handed or 0

    @property
    def stopping(self) -> bool:
        return self._stopping
