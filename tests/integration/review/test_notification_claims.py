"""A notification claimed by a deliverer that died is delivered later, not lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

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
