"""The publisher's wake-up loop with a fake drain and a fake database: how long it sleeps, what
wakes it, and that stopping it is immediate. No timers are measured: a fake ``wait`` records the
sleep it was asked for, and events force every interleaving."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.publishing.wakeup import STALL_PAUSE_S, WakeUp, pause

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
GUARD = 30  # only against a hang


def test_sleeps_until_the_next_due_post_capped_by_the_fallback() -> None:
    assert pause(T0, T0 + timedelta(seconds=0.25), fallback=1.0, stalled=0) == 0.25
    assert pause(T0, T0 + timedelta(minutes=5), fallback=1.0, stalled=0) == 1.0
    assert pause(T0, None, fallback=1.0, stalled=0) == 1.0
    assert pause(T0, T0, fallback=1.0, stalled=0) == 0.0  # the drain made progress: again now


def test_a_due_row_nobody_could_take_backs_off_instead_of_spinning() -> None:
    past = T0 - timedelta(seconds=3)
    assert pause(T0, past, fallback=1.0, stalled=1) == STALL_PAUSE_S
    assert pause(T0, past, fallback=1.0, stalled=3) == STALL_PAUSE_S * 4
    assert pause(T0, past, fallback=1.0, stalled=30) == 1.0


class Rig:
    """A drain that counts, a database that answers ``due``, a clock that only moves when the
    fake sleep says its timer fired."""

    def __init__(
        self, due: list[datetime | None], fallback: float = 3600.0, ahead: float = 0.0
    ) -> None:
        self.now = T0
        self.due = due
        self.drains = 0
        self.drained = asyncio.Queue[int]()
        self.gate: asyncio.Event | None = None
        self.sleeps: list[float] = []
        #: how many drains had run when each sleep began
        self.slept_after: list[int] = []
        self.loop = WakeUp(
            self.drain,
            self.next_due,
            fallback=fallback,
            clock=lambda: self.now,
            wait=self.wait,
            ahead=ahead,
        )

    async def drain(self) -> int:
        self.drains += 1
        self.drained.put_nowait(self.drains)
        if self.gate is not None:
            await self.gate.wait()
        return 0

    async def next_due(self) -> datetime | None:
        return self.due.pop(0) if len(self.due) > 1 else self.due[0]

    async def wait(self, event: asyncio.Event, seconds: float) -> None:
        """A timer shorter than the fallback fires at once; the fallback waits for a poke."""
        self.sleeps.append(seconds)
        self.slept_after.append(self.drains)
        if seconds < self.loop.fallback:
            self.now += timedelta(seconds=seconds)
            return
        await event.wait()


async def test_the_loop_sleeps_exactly_until_the_due_time_then_drains() -> None:
    rig = Rig([T0 + timedelta(seconds=5), None])
    rig.loop.start()
    assert await asyncio.wait_for(rig.drained.get(), GUARD) == 1
    assert await asyncio.wait_for(rig.drained.get(), GUARD) == 2  # woken by the 5 s timer
    await asyncio.wait_for(rig.loop.asleep.wait(), GUARD)
    assert rig.sleeps == [5.0, 3600.0]
    assert rig.now == T0 + timedelta(seconds=5)
    await asyncio.wait_for(rig.loop.stop(), GUARD)


async def test_a_publisher_preparing_ahead_is_woken_that_much_before_the_due_time() -> None:
    rig = Rig([T0 + timedelta(seconds=5), None], ahead=2.0)
    rig.loop.start()
    assert await asyncio.wait_for(rig.drained.get(), GUARD) == 1
    assert await asyncio.wait_for(rig.drained.get(), GUARD) == 2  # 2 s before the row is due
    assert rig.sleeps[0] == 3.0 and rig.now == T0 + timedelta(seconds=3)
    await asyncio.wait_for(rig.loop.stop(), GUARD)


async def test_a_poke_wakes_the_sleeping_loop_before_the_fallback() -> None:
    rig = Rig([None])
    rig.loop.start()
    await asyncio.wait_for(rig.loop.asleep.wait(), GUARD)
    assert rig.drains == 1
    rig.loop.poke()
    assert await asyncio.wait_for(rig.drained.get(), GUARD) == 1
    assert await asyncio.wait_for(rig.drained.get(), GUARD) == 2
    await asyncio.wait_for(rig.loop.stop(), GUARD)


async def test_stopping_a_sleeping_loop_returns_at_once_without_another_drain() -> None:
    rig = Rig([None])
    rig.loop.start()
    await asyncio.wait_for(rig.loop.asleep.wait(), GUARD)
    await asyncio.wait_for(rig.loop.stop(), GUARD)  # the fallback is an hour: only stop wakes it
    assert rig.drains == 1 and rig.sleeps == [3600.0]
    assert rig.loop._task is not None and rig.loop._task.done()


async def test_stopping_during_a_drain_returns_at_once_and_starts_no_other() -> None:
    rig = Rig([T0 - timedelta(seconds=1)])  # always something due: it would drain again
    rig.gate = asyncio.Event()
    rig.loop.start()
    assert await asyncio.wait_for(rig.drained.get(), GUARD) == 1
    await asyncio.wait_for(rig.loop.stop(), GUARD)  # the drain is still held by the gate
    rig.gate.set()
    assert rig.loop._task is not None
    await asyncio.wait_for(rig.loop._task, GUARD)
    assert rig.drains == 1 and rig.sleeps == []


async def test_a_poke_during_a_drain_is_not_lost() -> None:
    rig = Rig([None])
    rig.gate = asyncio.Event()
    rig.loop.start()
    assert await asyncio.wait_for(rig.drained.get(), GUARD) == 1
    rig.loop.poke()  # something was scheduled while the drain ran
    rig.gate.set()
    assert await asyncio.wait_for(rig.drained.get(), GUARD) == 2
    await asyncio.wait_for(rig.loop.asleep.wait(), GUARD)
    assert rig.slept_after == [2]  # it drained again without sleeping first
    await asyncio.wait_for(rig.loop.stop(), GUARD)
