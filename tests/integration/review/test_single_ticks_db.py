"""A ``single`` tick (bot/jobs.py ``TickSpec.single``) runs on one replica at a time: two
processes' schedulers firing it together run it once, the holder runs it again next round, a
holder gone silent hands it over when its lease runs out, and a stop hands it over at once.
Ticks that are not single run everywhere. The clock is the test's; nothing waits on time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import jobs
from review.db import SessionFactory
from review.leases import lease_length

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
EVERY = 600.0

pytestmark = pytest.mark.pg


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def replica(sf: SessionFactory, holder: str, clock: Clock, spec: jobs.TickSpec) -> jobs.Jobs:
    leases = jobs.TickLeases(sf, holder)
    return jobs.Jobs(scheduler=AsyncIOScheduler(), ticks=[spec], clock=clock, leases=leases)


async def test_a_single_tick_runs_on_one_replica_at_a_time(sf: SessionFactory) -> None:
    ran: list[str] = []
    clock = Clock()
    apps = {"a": web.Application(), "b": web.Application()}

    async def read_the_platform(app: web.Application) -> None:
        ran.append(next(name for name, a in apps.items() if a is app))

    spec = jobs.TickSpec("wechat_stats", EVERY, read_the_platform, single=True)
    a, b = replica(sf, "a", clock, spec), replica(sf, "b", clock, spec)
    run_a, run_b = jobs._wrap(apps["a"], a, spec), jobs._wrap(apps["b"], b, spec)
    await run_a()
    await run_b()
    assert ran == ["a"]
    clock.now += timedelta(seconds=EVERY)
    await run_b()
    await run_a()
    assert ran == ["a", "a"]  # the holder renews; the other still skips
    clock.now += lease_length(EVERY) + timedelta(seconds=1)  # a stopped renewing: it died
    await run_b()
    assert ran == ["a", "a", "b"]
    assert b.leases is not None
    await b.leases.release()  # b stops
    await run_a()
    assert ran == ["a", "a", "b", "a"]  # handed over at once, not when the lease ran out


async def test_a_tick_that_is_not_single_runs_on_every_replica(sf: SessionFactory) -> None:
    ran: list[str] = []
    clock = Clock()

    async def guarded_sql(app: web.Application) -> None:
        ran.append("ran")

    spec = jobs.TickSpec("inbox_deadlines", 60, guarded_sql)
    for holder in ("a", "b"):
        await jobs._wrap(web.Application(), replica(sf, holder, clock, spec), spec)()
    assert ran == ["ran", "ran"]
