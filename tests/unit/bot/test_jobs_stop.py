"""Stopping the scheduler lets a running tick finish instead of cutting it off mid-call."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot import jobs


async def test_a_running_tick_finishes_at_stop_and_no_new_one_starts() -> None:
    started, finished = asyncio.Event(), asyncio.Event()
    runs = 0

    async def slow_tick(_app: web.Application) -> None:
        nonlocal runs
        runs += 1
        started.set()
        await asyncio.sleep(0.3)  # a platform call in flight
        finished.set()

    running = jobs.start(web.Application(), [jobs.TickSpec("slow", 0.05, slow_tick)])
    await asyncio.wait_for(started.wait(), 5)
    await jobs.stop(running, grace=5)
    assert finished.is_set()  # not cancelled by the scheduler's shutdown
    assert "slow" not in running.last_error
    assert runs == 1
    await asyncio.sleep(0.2)
    assert runs == 1  # nothing started after the stop


async def test_a_stuck_tick_is_cancelled_after_the_grace() -> None:
    started = asyncio.Event()

    async def stuck_tick(_app: web.Application) -> None:
        started.set()
        await asyncio.sleep(60)

    running = jobs.start(web.Application(), [jobs.TickSpec("stuck", 0.05, stuck_tick)])
    await asyncio.wait_for(started.wait(), 5)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    await jobs.stop(running, grace=0.2)
    assert loop.time() - t0 < 3
    assert not running.running
