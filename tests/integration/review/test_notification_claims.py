"""A notification claimed by a deliverer that died is delivered later, not lost; and one is
sent once across replicas: claims are guarded and committed before the call, and renewed,
guarded by their fence, right before each call (review/notify.py ``deliver_pending``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from pg_lock_wait_support import backend_pid, until_blocked
from sqlalchemy import select, update

from review.db import SessionFactory
from review.models import Notification, utcnow
from review.notify import LogDeliverer, deliver_pending, notify
from review.store import notifications as store


@pytest.mark.pg
async def test_abandoned_claim_is_claimed_again_after_it_runs_out(sf: SessionFactory) -> None:
    async with sf.begin() as s:
        note = await notify(s, kind="task_waiting", subject="task:1", text="待审任务 1")
        assert note is not None
    async with sf.begin() as s:  # a deliverer claims it … and crashes
        assert [n.id for n in await store.claim_pending(s)] == [note.id]
    async with sf.begin() as s:  # while the claim runs, nobody else takes it
        assert await store.claim_pending(s) == []
    async with sf.begin() as s:
        await s.execute(
            update(Notification)
            .where(Notification.id == note.id)
            .values(claimed_until=utcnow() - timedelta(seconds=1))
        )
    assert await deliver_pending(sf, LogDeliverer()) == 1
    async with sf() as s:
        row = await s.get(Notification, note.id)
        assert row is not None and row.status == "logged" and row.attempts == 2


# ---- sent once across replicas --------------------------------------------------------------


@dataclass
class Deliverer:
    """A replica's WeCom sender: logs (replica, notification) per send; a row in ``hold``
    waits inside its call until the test sets the event (a slow WeCom)."""

    name: str
    sent: list[tuple[str, int]]
    hold: dict[int, asyncio.Event] = field(default_factory=dict)
    calling: asyncio.Queue[int] = field(default_factory=asyncio.Queue)

    async def deliver(self, note: Notification) -> str:
        self.calling.put_nowait(note.id)
        if note.id in self.hold:
            await self.hold[note.id].wait()
        self.sent.append((self.name, note.id))
        return "sent"


async def three_notes(sf: SessionFactory) -> list[int]:
    async with sf.begin() as s:
        notes = [
            await notify(s, kind="task_waiting", subject=f"task:{i}", text=f"待审任务 {i}")
            for i in (1, 2, 3)
        ]
    return [n.id for n in notes if n is not None]


async def statuses(sf: SessionFactory) -> list[tuple[int, str]]:
    async with sf() as s:
        rows = await s.scalars(select(Notification).order_by(Notification.id))
        return [(n.id, n.status) for n in rows]


@pytest.mark.pg_only  # SQLite has one writer: the race below needs row locks
async def test_two_replicas_claiming_at_the_same_moment_split_the_rows(sf: SessionFactory) -> None:
    """b reads the rows as pending while a's claim is not committed yet: its guarded update
    waits on a's rows and, once a commits, finds them taken."""
    ids = await three_notes(sf)
    async with sf.begin() as a:
        assert [n.id for n in await store.claim_pending(a)] == ids
        reading = asyncio.Event()
        pid: list[int] = []

        async def b_claims() -> list[Notification]:
            async with sf.begin() as b:
                pid.append(await backend_pid(b))
                reading.set()
                return await store.claim_pending(b)

        b_task = asyncio.create_task(b_claims())
        await asyncio.wait_for(reading.wait(), 60)
        await until_blocked(sf, pid[0])
    assert await asyncio.wait_for(b_task, 60) == []


@pytest.mark.pg
async def test_a_second_replica_delivering_meanwhile_sends_nothing_twice(
    sf: SessionFactory,
) -> None:
    ids = await three_notes(sf)
    sent: list[tuple[str, int]] = []
    slow = asyncio.Event()
    a = Deliverer("a", sent, hold={ids[0]: slow})
    a_round = asyncio.create_task(deliver_pending(sf, a))
    assert await asyncio.wait_for(a.calling.get(), 60) == ids[0]  # a is inside its first call
    assert await deliver_pending(sf, Deliverer("b", sent)) == 0
    slow.set()
    assert await asyncio.wait_for(a_round, 60) == 3
    assert sent == [("a", i) for i in ids]
    assert await statuses(sf) == [(i, "sent") for i in ids]


@pytest.mark.pg
async def test_a_claim_that_ran_out_mid_batch_is_not_sent_again(sf: SessionFactory) -> None:
    """a's batch is slow: while it is in its first call, the claim on its third row runs out
    and b takes and sends that row. a, reaching it, finds the claim no longer its own."""
    ids = await three_notes(sf)
    sent: list[tuple[str, int]] = []
    slow = asyncio.Event()
    a = Deliverer("a", sent, hold={ids[0]: slow})
    a_round = asyncio.create_task(deliver_pending(sf, a))
    assert await asyncio.wait_for(a.calling.get(), 60) == ids[0]
    async with sf.begin() as s:  # as if CLAIM had passed for the rows a has not reached
        await s.execute(
            update(Notification)
            .where(Notification.id == ids[2])
            .values(claimed_until=utcnow() - timedelta(seconds=1))
        )
    assert await deliver_pending(sf, Deliverer("b", sent)) == 1
    slow.set()
    assert await asyncio.wait_for(a_round, 60) == 2
    assert sorted(sent) == [("a", ids[0]), ("a", ids[1]), ("b", ids[2])]
    assert await statuses(sf) == [(i, "sent") for i in ids]


@pytest.mark.pg
async def test_a_row_taken_over_and_still_being_sent_is_not_sent_by_the_first_claimer(
    sf: SessionFactory,
) -> None:
    """As above, but b is still inside its WeCom call for the row (status still ``sending``)
    when a reaches it: only the fence (the claim's ``claimed_until``) tells a it is not its own."""
    ids = await three_notes(sf)
    sent: list[tuple[str, int]] = []
    a_slow, b_slow = asyncio.Event(), asyncio.Event()
    a = Deliverer("a", sent, hold={ids[0]: a_slow})
    b = Deliverer("b", sent, hold={ids[2]: b_slow})
    a_round = asyncio.create_task(deliver_pending(sf, a))
    assert await asyncio.wait_for(a.calling.get(), 60) == ids[0]
    async with sf.begin() as s:  # as if CLAIM had passed for the rows a has not reached
        await s.execute(
            update(Notification)
            .where(Notification.id == ids[2])
            .values(claimed_until=utcnow() - timedelta(seconds=1))
        )
    b_round = asyncio.create_task(deliver_pending(sf, b))
    assert await asyncio.wait_for(b.calling.get(), 60) == ids[2]  # b is inside its call
    a_slow.set()
    assert await asyncio.wait_for(a_round, 60) == 2
    assert sent == [("a", ids[0]), ("a", ids[1])]
    b_slow.set()
    assert await asyncio.wait_for(b_round, 60) == 1
    assert sent == [("a", ids[0]), ("a", ids[1]), ("b", ids[2])]
    assert await statuses(sf) == [(i, "sent") for i in ids]
