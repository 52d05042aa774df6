"""``audit.append_many``: several events, one lock, the same verifiable chain as ``append``."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from sqlalchemy import select, text

from review.db import SessionFactory
from review.models import AuditEvent
from review.store import audit


def events(n: int, actor: str) -> list[audit.NewEvent]:
    return [audit.NewEvent(actor, "test.batch", "t", i, {"i": i, "名": "值"}) for i in range(n)]


@pytest.mark.pg
async def test_batch_chains_in_order_and_verifies(sf: SessionFactory) -> None:
    async with sf.begin() as s:
        await audit.append(s, actor="a", action="test.one", subject_type="t", subject_id=0)
        made = await audit.append_many(s, events(4, "b"))
        await audit.append(s, actor="c", action="test.one", subject_type="t", subject_id=9)
    assert [e["seq"] for e in made] == [2, 3, 4, 5]
    assert all(e["prev_hash"] == p["hash"] for p, e in itertools.pairwise(made))
    async with sf() as s:
        assert await audit.verify(s) == (6, None)
        stored = (await s.scalars(select(AuditEvent).order_by(AuditEvent.seq))).all()
    assert [e.actor for e in stored] == ["a", "b", "b", "b", "b", "c"]
    assert stored[2].detail == {"i": 1, "名": "值"} and stored[2].hash == made[1]["hash"]


async def test_empty_batch_writes_nothing(sf: SessionFactory) -> None:
    async with sf.begin() as s:
        assert await audit.append_many(s, []) == []
    async with sf() as s:
        assert await audit.count(s) == 0


@pytest.mark.pg
async def test_tampering_inside_a_batch_is_detected(sf: SessionFactory) -> None:
    async with sf.begin() as s:
        await audit.append_many(s, events(5, "b"))
    async with sf.begin() as s:
        await s.execute(text("UPDATE audit_events SET subject_id = '99' WHERE seq = 4"))
    async with sf() as s:
        checked, problem = await audit.verify(s)
    assert checked == 5 and problem is not None and "#4 内容被改动" in problem


@pytest.mark.pg
async def test_concurrent_batch_and_single_writers_never_fork(sf: SessionFactory) -> None:
    async def batches(actor: str) -> None:
        for _ in range(5):
            async with sf.begin() as s:
                await audit.append_many(s, events(7, actor))

    async def singles(actor: str) -> None:
        for i in range(10):
            async with sf.begin() as s:
                await audit.append(s, actor=actor, action="x", subject_type="t", subject_id=i)

    await asyncio.gather(*(batches(f"b{k}") for k in range(4)), singles("s0"), singles("s1"))
    async with sf() as s:
        assert await audit.verify(s) == (4 * 5 * 7 + 20, None)
        seqs = (await s.execute(text("SELECT seq FROM audit_events ORDER BY seq"))).scalars().all()
    assert list(seqs) == list(range(1, 161))
