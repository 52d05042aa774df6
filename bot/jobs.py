"""APScheduler runs only ticks; the database is the schedule (DESIGN §3).

Each area declares its ticks (``tick_specs``) and ``bot.app`` lists them all; a tick is
``async def tick(app) -> None`` and must be safe to run on several replicas at once (guarded updates), so APScheduler's own job store is never
relied on (memory store, ``coalesce`` and ``max_instances=1``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.shutdown import SHUTDOWN

log = logging.getLogger("newmedia.jobs")

Tick = Callable[[web.Application], Awaitable[None]]


@dataclass
class TickSpec:
    name: str
    seconds: float
    func: Tick


@dataclass
class Jobs:
    scheduler: AsyncIOScheduler
    ticks: list[TickSpec] = field(default_factory=list)
    last_run: dict[str, datetime] = field(default_factory=dict)
    last_error: dict[str, str] = field(default_factory=dict)
    #: ticks running right now: shutdown waits for them before the database goes away
    running: set[asyncio.Task[Any]] = field(default_factory=set)

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
        try:
            await spec.func(app)
            jobs.last_error.pop(spec.name, None)
        except Exception as exc:  # a tick must never kill the scheduler
            jobs.last_error[spec.name] = type(exc).__name__
            log.exception("tick %s failed", spec.name)
        finally:
            jobs.last_run[spec.name] = datetime.now(UTC)
            if task is not None:
                jobs.running.discard(task)

    return run


def start(app: web.Application, ticks: list[TickSpec]) -> Jobs:
    scheduler = AsyncIOScheduler(timezone=UTC)
    jobs = Jobs(scheduler=scheduler, ticks=ticks)
    now = datetime.now(UTC)
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
    scheduler.start()
    return jobs


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
