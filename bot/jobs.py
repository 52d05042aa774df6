"""APScheduler runs only ticks; the database is the schedule (DESIGN §3).

Each area declares its ticks (``tick_specs``) and ``bot.app`` lists them all; a tick is
``async def tick(app) -> None`` and must be safe to run on several replicas at once (guarded
updates), so APScheduler's own job store is never relied on (memory store, ``coalesce`` and
``max_instances=1``). A tick that reads a platform (comments, statistics, the back office) is
``single``: it runs on one replica at a time, the holder of its lease (``TickLeases``), so
replicas do not spend an account's daily call quota twice.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.shutdown import SHUTDOWN
from review.db import SessionFactory
from review.leases import tick_lease
from review.store import leases

log = logging.getLogger("newmedia.jobs")

Tick = Callable[[web.Application], Awaitable[None]]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class TickSpec:
    name: str
    seconds: float
    func: Tick
    #: on one replica at a time (a platform read every replica would make alike)
    single: bool = False


@dataclass
class TickLeases:
    """Which ``single`` ticks this process runs: the ones whose lease ``tick:<name>`` it holds,
    taken or renewed in a short transaction before each run; a holder that dies stops renewing
    and another replica takes the tick over when the lease runs out."""

    sessions: SessionFactory
    holder: str
    held: set[str] = field(default_factory=set)

    async def take(self, spec: TickSpec, now: datetime) -> bool:
        name = tick_lease(spec.name)
        try:
            async with self.sessions.begin() as session:
                mine = await leases.acquire(
                    session, name, self.holder, now=now, period=spec.seconds
                )
        except Exception:  # the database blinked: this round is skipped, the lease has slack
            log.warning("tick %s: its lease could not be read; skipped", spec.name)
            return False
        (self.held.add if mine else self.held.discard)(name)
        return mine

    async def release(self) -> None:
        """A stop hands the ticks over at once, not when the leases run out."""
        if self.held:
            async with self.sessions.begin() as session:
                await leases.release(session, self.held, self.holder)
            self.held.clear()


@dataclass
class Jobs:
    scheduler: AsyncIOScheduler
    ticks: list[TickSpec] = field(default_factory=list)
    last_run: dict[str, datetime] = field(default_factory=dict)
    last_error: dict[str, str] = field(default_factory=dict)
    #: when each tick last finished without an error, and how late its last run started
    #: against the schedule (seconds; /metrics: bot/metrics/collectors.py)
    last_ok: dict[str, datetime] = field(default_factory=dict)
    start_lag: dict[str, float] = field(default_factory=dict)
    #: the run time APScheduler submitted each tick for (set just before the run starts)
    due: dict[str, datetime] = field(default_factory=dict)
    #: ticks running right now: shutdown waits for them before the database goes away
    running: set[asyncio.Task[Any]] = field(default_factory=set)
    #: the times above, and the first runs' schedule (tests hand a fake one)
    clock: Callable[[], datetime] = _now
    #: the ``single`` ticks' leases (None: every tick runs here, e.g. tests and tools)
    leases: TickLeases | None = None

    def state(self) -> dict[str, object]:
        return {
            "running": bool(self.scheduler.running),
            "ticks": {
                t.name: {
                    "every_s": t.seconds,
                    "last_run": self.last_run[t.name].isoformat()
                    if t.name in self.last_run
                    else None,
                    "last_error": self.last_error.get(t.name),
                }
                for t in self.ticks
            },
        }


def _wrap(app: web.Application, jobs: Jobs, spec: TickSpec) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        task = asyncio.current_task()
        if task is not None:
            jobs.running.add(task)
        due = jobs.due.pop(spec.name, None)
        if due is not None:  # not handed over: the lag is unknown, not 0
            jobs.start_lag[spec.name] = max(0.0, (jobs.clock() - due).total_seconds())
        try:
            if spec.single and jobs.leases is not None:
                if not await jobs.leases.take(spec, jobs.clock()):
                    return  # another replica holds it this round
            await spec.func(app)
            jobs.last_error.pop(spec.name, None)
            jobs.last_ok[spec.name] = jobs.clock()
        except Exception as exc:  # a tick must never kill the scheduler
            jobs.last_error[spec.name] = type(exc).__name__
            log.exception("tick %s failed", spec.name)
        finally:
            jobs.last_run[spec.name] = jobs.clock()
            if task is not None:
                jobs.running.discard(task)

    return run


def start(
    app: web.Application,
    ticks: list[TickSpec],
    *,
    clock: Callable[[], datetime] = _now,
    leases: TickLeases | None = None,
) -> Jobs:
    scheduler = AsyncIOScheduler(timezone=UTC)
    jobs = Jobs(scheduler=scheduler, ticks=ticks, clock=clock, leases=leases)
    now = clock()
    for i, spec in enumerate(ticks):
        scheduler.add_job(
            _wrap(app, jobs, spec),
            "interval",
            seconds=spec.seconds,
            id=spec.name,
            coalesce=True,
            max_instances=1,
            # staggered first runs: no stampede of writers the moment the service starts
            next_run_time=now + timedelta(milliseconds=150 * i),
            misfire_grace_time=None,
        )
    scheduler.add_listener(functools.partial(_submitted, jobs), EVENT_JOB_SUBMITTED)
    scheduler.start()
    return jobs


def _submitted(jobs: Jobs, event: JobSubmissionEvent) -> None:
    """The scheduled time of the run being started: its lag is measured against it."""
    if event.scheduled_run_times:
        jobs.due[event.job_id] = event.scheduled_run_times[-1]


def pause(jobs: Jobs) -> None:
    """No tick starts from now on (the moment the service is told to stop); running ones go on."""
    jobs.scheduler.pause()


async def stop(
    jobs: Jobs, grace: float = SHUTDOWN.ticks, unwind: float = SHUTDOWN.tick_unwind
) -> None:
    """No new ticks; let the running ones finish (they are short), cancel stragglers after
    ``grace`` and give them ``unwind`` to do so (bot/shutdown.py: both within serve's limit).

    Pause first and shut the scheduler down only afterwards: APScheduler's asyncio executor
    cancels every running job on shutdown, which would cut a tick off mid-call."""
    pause(jobs)
    running = list(jobs.running)
    if running:
        _done, pending = await asyncio.wait(running, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("cancelled %d tick(s) still running at shutdown", len(pending))
            await asyncio.wait(pending, timeout=unwind)
    jobs.scheduler.shutdown(wait=False)
    if jobs.leases is not None:
        try:
            await jobs.leases.release()
        except Exception:  # they run out by themselves
            log.warning("the ticks' leases could not be handed back; they will run out")
