"""The review tick through the running app: expiry back to the queue, one warning per claim."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from queue_support import PASS, new_draft, person
from sqlalchemy import select

from bot.app import _ticks as all_ticks
from bot.app import create_app
from bot.config.load import Settings
from bot.queue.ticks import expire_and_remind
from review import queue
from review.db import SessionFactory
from review.models import Notification, ReviewTask

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.mark.pg
async def test_tick_warns_once_then_expires(settings: Settings, sf: SessionFactory) -> None:
    draft_id = await new_draft(sf)
    zhao, li = await person(sf, "zhao_min"), await person(sf, "li_na")
    async with sf.begin() as s:
        task = (await queue.submit(s, draft_id, zhao, gate=PASS)).tasks[0]
        await queue.claim(s, task.id, li, lease=timedelta(hours=4), now=NOW)
    app = create_app(settings, run_jobs=False)
    assert "review.expire_and_remind" in [t.name for t in all_ticks(app)]
    async with TestClient(TestServer(app)):
        assert await expire_and_remind(app, now=NOW + timedelta(hours=1)) == (0, 0)
        soon = NOW + timedelta(hours=3, minutes=40)
        assert await expire_and_remind(app, now=soon) == (0, 1)
        assert await expire_and_remind(app, now=soon + timedelta(minutes=5)) == (0, 0)
        assert await expire_and_remind(app, now=NOW + timedelta(hours=5)) == (1, 0)
    async with sf() as s:
        row = await s.get(ReviewTask, task.id)
        assert row is not None and row.status == "open" and row.claimed_by is None
        kinds = [
            n.kind for n in (await s.scalars(select(Notification).order_by(Notification.id))).all()
        ]
        assert kinds.count("claim_expiring") == 1
        assert kinds[-1] == "task_waiting"  # back in the department's queue
