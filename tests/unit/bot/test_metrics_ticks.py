"""The ticks' lag and last success as bot/jobs.py records them and /metrics shows them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import cast

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from prometheus_client import CollectorRegistry, generate_latest

from bot import jobs, keys
from bot.metrics.collectors import ServiceCollector
from bot.metrics.database import CachedSnapshot
from review.db import SessionFactory


async def _ok(_app: web.Application) -> None:
    return None


async def _broken(_app: web.Application) -> None:
    raise RuntimeError("boom")


class Clock:
    """What ``Jobs.clock`` reads: stands still until the test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_lag_against_the_schedule_and_last_success() -> None:
    app = web.Application()
    due = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    clock = Clock(due + timedelta(seconds=30))  # the loop was busy: they start 30 s late
    ok, broken = jobs.TickSpec("ok", 5, _ok), jobs.TickSpec("broken", 60, _broken)
    running = jobs.Jobs(scheduler=AsyncIOScheduler(timezone=UTC), ticks=[ok, broken], clock=clock)
    running.due.update({"ok": due, "broken": due})
    await jobs._wrap(app, running, ok)()
    await jobs._wrap(app, running, broken)()
    assert running.start_lag == {"ok": 30.0, "broken": 30.0}
    assert running.last_ok == {"ok": clock.now}
    assert running.due == {}  # each scheduled time is used once
    await jobs._wrap(app, running, ok)()  # a run with no scheduled time: its lag is unknown
    assert running.start_lag == {"ok": 30.0, "broken": 30.0}

    app[keys.JOBS] = running
    registry = CollectorRegistry()
    never_read = CachedSnapshot(
        cast(SessionFactory, None), lambda: due, max_age=5, closing_within=timedelta(hours=6)
    )
    registry.register(ServiceCollector(app, never_read))
    page = generate_latest(registry).decode()
    assert 'newmedia_tick_interval_seconds{tick="ok"} 5.0' in page
    assert 'newmedia_tick_failing{tick="broken"} 1.0' in page
    assert 'newmedia_tick_failing{tick="ok"} 0.0' in page
    assert 'newmedia_tick_last_success_timestamp_seconds{tick="ok"}' in page
    assert 'newmedia_tick_last_success_timestamp_seconds{tick="broken"}' not in page


async def test_the_scheduler_hands_each_run_its_scheduled_time() -> None:
    """The lag is measured against the time APScheduler ran the job for (its listener hands it
    over): the first run is scheduled at the clock's time when the ticks start."""
    ran = asyncio.Event()

    async def tick(_app: web.Application) -> None:
        ran.set()

    scheduled = datetime.now(UTC) - timedelta(seconds=1)  # due at once
    clock = Clock(scheduled)
    running = jobs.start(web.Application(), [jobs.TickSpec("t", 3600, tick)], clock=clock)
    clock.now = scheduled + timedelta(seconds=42)  # before the loop gets to run the tick
    try:
        await asyncio.wait_for(ran.wait(), 30)
    finally:
        await jobs.stop(running, grace=5)
    assert running.start_lag == {"t": 42.0}
    assert running.last_ok == {"t": clock.now}
    assert running.due == {}  # the listener's scheduled time was taken by the run
