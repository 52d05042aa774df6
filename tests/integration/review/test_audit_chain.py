from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from review.db import SessionFactory
from review.store import audit


async def _append_many(sf: SessionFactory, n: int, actor: str) -> None:
    for i in range(n):
        async with sf.begin() as s:
            await audit.append(
                s, actor=actor, action="test.event", subject_type="t", subject_id=i, detail={"i": i}
            )


@pytest.mark.pg
async def test_chain_verifies_and_detects_tampering(sf: SessionFactory) -> None:
    await _append_many(sf, 5, "a")
    async with sf() as s:
        assert await audit.verify(s) == (5, None)
    async with sf.begin() as s:
        await s.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3"))
    async with sf() as s:
        checked, problem = await audit.verify(s)
    assert problem is not None and "#3 内容被改动" in problem and checked == 5  # all, not to #3


@pytest.mark.pg
async def test_deleted_event_is_detected(sf: SessionFactory) -> None:
    await _append_many(sf, 4, "a")
    async with sf.begin() as s:
        await s.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    async with sf() as s:
        _, problem = await audit.verify(s)
    assert problem is not None and "#2 缺失" in problem


@pytest.mark.pg
async def test_concurrent_writers_never_fork_the_chain(sf: SessionFactory) -> None:
    await asyncio.gather(*(_append_many(sf, 10, f"w{k}") for k in range(6)))
    async with sf() as s:
        assert await audit.verify(s) == (60, None)
        seqs = (await s.execute(text("SELECT seq FROM audit_events ORDER BY seq"))).scalars().all()
    assert list(seqs) == list(range(1, 61))
