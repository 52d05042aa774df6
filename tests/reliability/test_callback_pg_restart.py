"""PostgreSQL stopped and restarted during a load of citizen callbacks: no message that was answered
200 is missing, requests during the outage get 503 (never 200, never 500), and WeChat's retries
of the refused ones go through once the server is back.

The shared PostgreSQL of the machine is left alone: the test initialises a throwaway cluster in a
temp directory (as the ``postgres`` OS user when run as root — PostgreSQL refuses root), on a free
port, and stops it with ``pg_ctl stop -m fast`` mid-load, which kills the open connections.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from inbox_support import follower
from pg_cluster import BINS, MISSING, Cluster, private_cluster

from bot.app import create_app
from bot.config.load import load_settings
from review.db import create_engine, session_factory
from review.models import Base
from review.store.directory_sync import sync_directory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not BINS, reason=MISSING)]


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with private_cluster() as c:
        yield c


async def _prepare(url: str) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from bot.migrate import alembic_config

    engine = create_engine(url)

    def create(conn: object) -> None:
        Base.metadata.create_all(conn)  # type: ignore[arg-type]
        script = ScriptDirectory.from_config(alembic_config(url))
        MigrationContext.configure(conn).stamp(script, "head")  # type: ignore[arg-type]

    async with engine.begin() as conn:
        await conn.run_sync(create)
    s = load_settings(ROOT / "settings.toml", env={})
    async with session_factory(engine).begin() as session:
        await sync_directory(
            session, s.departments.values(), s.people.values(), s.accounts.values()
        )
    await engine.dispose()


async def _stored_keys(url: str) -> set[str]:
    import asyncpg  # type: ignore[import-untyped]

    con = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return {r[0] for r in await con.fetch("SELECT dedup_key FROM citizen_messages")}
    finally:
        await con.close()


async def test_pg_stopped_and_restarted_mid_load(cluster: Cluster) -> None:
    await _prepare(cluster.url)
    settings = replace(load_settings(ROOT / "settings.toml", env={}), database_url=cluster.url)
    app = create_app(settings, run_jobs=False)
    # (msg_id, query, body, started, finished, status)
    log: list[tuple[str, dict[str, str], bytes, float, float, int]] = []
    async with TestClient(TestServer(app)) as client:
        f = follower(client, settings)
        next_id = iter(range(5_000_000, 6_000_000))
        running = True

        async def sender() -> None:
            while running:
                msg_id = next(next_id)
                q, b = f.build_request(f.text_xml(f"留言{msg_id}：低保咨询", msg_id=msg_id))
                t0 = time.monotonic()
                reply = await f.post(q, b)
                log.append((str(msg_id), q, b, t0, time.monotonic(), reply.status))

        senders = [asyncio.create_task(sender()) for _ in range(8)]
        await asyncio.sleep(2.0)
        await asyncio.to_thread(cluster.stop)  # mid-load, connections killed
        down_from = time.monotonic()
        await asyncio.sleep(1.5)
        down_until = time.monotonic()
        await asyncio.to_thread(cluster.start)
        await asyncio.sleep(2.5)
        running = False
        await asyncio.gather(*senders)
        refused = [(q, b) for _, q, b, _, _, status in log if status != 200]
        retries = [await f.post(q, b) for q, b in refused]  # WeChat retries, same request
    statuses = {entry[5] for entry in log}
    ok = {msg_id for msg_id, _, _, _, _, status in log if status == 200}
    during = [e for e in log if e[3] >= down_from and e[4] <= down_until]
    stored = await _stored_keys(cluster.url)
    assert statuses <= {200, 503}, statuses  # never a 500, never a 4xx
    assert ok and refused, (len(ok), len(refused))  # some accepted before, some refused during
    assert during and all(e[5] == 503 for e in during)  # nothing answered 200 while down
    assert ok <= stored  # the point: every 200 is durably stored
    assert all(r.status == 200 for r in retries), [(r.status, r.body[:80]) for r in retries]
    assert stored == {e[0] for e in log}  # after the retries: everything, once
