"""The demo restarted: the in-service sandbox keeps its state beside the SQLite database, so a
WeChat publish in flight at the restart is settled by polling afterwards — nobody settles it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from publishing_support import seed
from sqlalchemy import select

from bot import keys
from bot.app import create_app
from bot.config.load import Settings
from bot.sandbox.wiring import RUNTIME, state_file
from channels.sandbox.app import Sandbox
from review.db import SessionFactory
from review.models import Publication
from review.publishing.reconciliation import poll_pending


@asynccontextmanager
async def service(settings: Settings) -> AsyncIterator[TestClient[Any, Any]]:
    """One life of ``newmedia serve`` in demo mode (ticks off; the test drives them)."""
    app = create_app(settings, run_jobs=False)
    async with TestClient(TestServer(app)) as client:
        app[RUNTIME].self_url = str(client.make_url("/")).rstrip("/")
        yield client


def sandbox_of(client: TestClient[Any, Any]) -> Sandbox:
    sandbox = client.app[keys.SANDBOX]
    assert isinstance(sandbox, Sandbox)
    return sandbox


async def only_row(sf: SessionFactory) -> Publication:
    async with sf() as s:
        return (await s.scalars(select(Publication))).one()


async def test_a_post_in_flight_at_a_restart_settles_by_polling(
    settings: Settings, sf: SessionFactory, tmp_path: Path
) -> None:
    slow = settings.file.sandbox.model_copy(update={"publish_delay_seconds": 600.0})
    settings = replace(settings, file=settings.file.model_copy(update={"sandbox": slow}))
    await seed(sf, 1, accounts=("ccmz_wechat",), title="冬季救助")
    async with service(settings) as first:
        assert await first.app[keys.PUBLISHER].publish_due() == 1
        row = await only_row(sf)
        assert row.status == "pending" and row.receipt_extra.get("publish_id")
        old_ids = {row.receipt_extra["publish_id"]}
    assert state_file(settings.database_url) == tmp_path / "test.sandbox.db"
    assert (tmp_path / "test.sandbox.db").exists()

    async with service(settings) as second:
        sandbox = sandbox_of(second)
        sandbox.set_event_sink(None)  # no PUBLISHJOBFINISH: polling alone must settle it
        later = time.time() + 601
        sandbox.config.clock = lambda: later  # the publish came due while the demo was down
        assert await poll_pending(second.app[keys.PUBLISHER]) == 1
        row = await only_row(sf)
        assert row.status == "published", row.last_error
        [entry] = sandbox.timeline("ccmz_wechat")
        assert entry.title == "冬季救助1" and entry.remote_id == row.remote_id
        assert row.remote_id not in old_ids


async def test_in_memory_databases_keep_the_sandbox_in_memory() -> None:
    assert state_file("sqlite+aiosqlite:///:memory:") is None
    assert state_file("postgresql+asyncpg://u@h/db") is None
    assert state_file("sqlite:////srv/var/newmedia.db") == Path("/srv/var/newmedia.sandbox.db")
