"""Leases in the database (review/store/leases.py) on SQLite and PostgreSQL: of two holders
competing only one wins, the holder renews, a lease that ran out hands over, a release hands
over at once, and the guarded upsert agrees with the pure rule (review/leases.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pg_lock_wait_support import backend_pid, until_blocked

from review import leases as rule
from review.db import SessionFactory
from review.store import leases

NAME = "token:ccmz_wechat"
PERIOD = 60.0  # seconds between renewals: the lease lasts LEASE_PERIODS of them
T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LENGTH = rule.lease_length(PERIOD)

pytestmark = pytest.mark.pg


async def take(sf: SessionFactory, me: str, now: datetime, name: str = NAME) -> bool:
    async with sf.begin() as s:
        return await leases.acquire(s, name, me, now=now, period=PERIOD)


async def stored(sf: SessionFactory, name: str = NAME) -> rule.Lease | None:
    async with sf() as s:
        return await leases.current(s, name)


async def test_of_two_holders_only_the_first_wins(sf: SessionFactory) -> None:
    assert await take(sf, "a", T0)
    assert not await take(sf, "b", T0)
    assert not await take(sf, "b", T0 + LENGTH)  # at the expiry instant it is still a's
    assert await stored(sf) == rule.Lease(NAME, "a", T0 + LENGTH)


async def test_the_holder_renews_and_keeps_it(sf: SessionFactory) -> None:
    assert await take(sf, "a", T0)
    for rounds in range(1, 6):  # renewed every period: never runs out for the others
        now = T0 + timedelta(seconds=PERIOD * rounds)
        assert await take(sf, "a", now)
        assert not await take(sf, "b", now + timedelta(seconds=PERIOD))
    assert await stored(sf) == rule.Lease(NAME, "a", T0 + timedelta(seconds=PERIOD * 5) + LENGTH)


async def test_a_lease_that_ran_out_hands_over(sf: SessionFactory) -> None:
    assert await take(sf, "a", T0)  # a takes it, then dies: no renewal
    later = T0 + LENGTH + timedelta(microseconds=1)
    assert await take(sf, "b", later)
    assert not await take(sf, "a", later)  # a, back, finds it b's
    assert await stored(sf) == rule.Lease(NAME, "b", later + LENGTH)


async def test_a_release_hands_over_at_once_and_only_the_holders(sf: SessionFactory) -> None:
    assert await take(sf, "a", T0)
    assert await take(sf, "a", T0, name="token:ccyl_wechat")
    async with sf.begin() as s:
        await leases.release(s, [NAME], "b")  # not b's to give
    assert not await take(sf, "b", T0)
    async with sf.begin() as s:
        await leases.release(s, [NAME], "a")
    assert await stored(sf) is None
    assert await take(sf, "b", T0)
    assert (await stored(sf, "token:ccyl_wechat")) is not None  # the other lease stays a's


async def test_acquire_all_takes_the_free_ones_and_keeps_its_own(sf: SessionFactory) -> None:
    names = ["token:ccmz_wechat", "token:ccyl_wechat"]
    assert await take(sf, "b", T0, name="token:ccyl_wechat")
    async with sf.begin() as s:
        assert await leases.acquire_all(s, names, "a", now=T0, period=PERIOD) == {names[0]}
    async with sf.begin() as s:
        later = T0 + LENGTH + timedelta(seconds=1)  # b died; a renews its own and takes b's
        assert await leases.acquire_all(s, names, "a", now=later, period=PERIOD) == set(names)


@pytest.mark.parametrize(
    ("holder", "left"),
    [("b", 30.0), ("b", 0.0), ("b", -0.001), ("a", 30.0), ("a", -30.0), (None, 0.0)],
)
async def test_the_upsert_applies_the_pure_rule(
    sf: SessionFactory, holder: str | None, left: float
) -> None:
    now = T0 + LENGTH
    before = None
    if holder is not None:  # a lease expiring ``left`` seconds after ``now``
        taken_at = now + timedelta(seconds=left) - LENGTH
        assert await take(sf, holder, taken_at)
        before = await stored(sf)
        assert before == rule.Lease(NAME, holder, now + timedelta(seconds=left))
    assert await take(sf, "a", now) == rule.may_take(before, "a", now)


@pytest.mark.pg_only  # SQLite has one writer: the race below needs row locks
async def test_two_replicas_at_the_same_moment_on_postgresql(sf: SessionFactory) -> None:
    """b asks while a's taking is not yet committed: b waits on a's row, then sees it a's."""
    async with sf.begin() as a:
        assert await leases.acquire(a, NAME, "a", now=T0, period=PERIOD)
        asked = asyncio.Event()
        pid: list[int] = []

        async def b_asks() -> bool:
            async with sf.begin() as b:
                pid.append(await backend_pid(b))
                asked.set()
                return await leases.acquire(b, NAME, "b", now=T0, period=PERIOD)

        b_task = asyncio.create_task(b_asks())
        await asyncio.wait_for(asked.wait(), 60)
        await until_blocked(sf, pid[0])  # b's upsert waits for a's uncommitted row
    assert await asyncio.wait_for(b_task, 60) is False
    assert await stored(sf) == rule.Lease(NAME, "a", T0 + LENGTH)
