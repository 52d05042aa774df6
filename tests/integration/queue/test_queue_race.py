"""Eight reviewers race for the same 200 tasks: exactly one owner each, the rest get Conflict.

Each reviewer works on its own session (its own connection); on PostgreSQL the claims run truly
concurrently, on SQLite the write lock serialises them — the guarded UPDATE must hold on both.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest
from queue_support import PASS
from sqlalchemy import select

from review import drafts, queue
from review.db import SessionFactory
from review.errors import Conflict
from review.models import Person, ReviewTask
from review.store import audit, directory

TASKS = 200
REVIEWERS = 8


async def _setup(sf: SessionFactory) -> tuple[list[int], list[Person]]:
    async with sf.begin() as s:
        office = await directory.department_by_key(s, "office")
        zhao = await directory.person_by_key(s, "zhao_min")
        assert office is not None and zhao is not None
        people = [
            Person(key=f"racer{i}", name=f"审核员{i}", department_id=office.id, roles="reviewer")
            for i in range(REVIEWERS)
        ]
        s.add_all(people)
    task_ids: list[int] = []
    for n in range(TASKS):  # one short transaction per draft keeps the session small
        async with sf.begin() as s:
            d, _ = await drafts.create(
                s,
                zhao,
                drafts.DraftInput(title=f"工作动态 {n}", body="正文", accounts=["ccmz_weibo"]),
            )
            result = await queue.submit(s, d.id, zhao, gate=PASS)
            task_ids.append(result.tasks[0].id)
    return task_ids, people


@pytest.mark.pg
async def test_racing_reviewers_get_exactly_one_owner_per_task(sf: SessionFactory) -> None:
    task_ids, people = await _setup(sf)
    wins: Counter[int] = Counter()
    owner: dict[int, int] = {}
    refused = 0

    async def reviewer(p: Person, seed: int) -> None:
        nonlocal refused
        order = list(task_ids)
        random.Random(seed).shuffle(order)
        for tid in order:
            try:
                async with sf.begin() as s:
                    task = await queue.claim(s, tid, p)
            except Conflict:
                refused += 1
                continue
            assert task.claimed_by == p.id
            wins[tid] += 1
            owner[tid] = p.id
            await asyncio.sleep(0)

    await asyncio.gather(*(reviewer(p, i) for i, p in enumerate(people)))

    assert set(wins) == set(task_ids) and set(wins.values()) == {1}
    assert refused == TASKS * (REVIEWERS - 1)
    async with sf() as s:
        rows = (await s.scalars(select(ReviewTask).where(ReviewTask.id.in_(task_ids)))).all()
        assert all(r.status == "claimed" for r in rows)
        assert {r.id: r.claimed_by for r in rows} == owner
        claims = await audit.recent(s, action="task.claim", limit=10 * TASKS)
        assert len(claims) == TASKS
        assert await audit.verify(s) == (await audit.count(s), None)
    # a decision by anyone but the owner changes nothing
    loser = next(p for p in people if p.id != owner[task_ids[0]])
    async with sf.begin() as s:
        with pytest.raises(Exception, match="只有认领人可以处理"):
            await queue.approve(s, task_ids[0], loser)
