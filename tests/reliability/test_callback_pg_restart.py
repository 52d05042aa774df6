"""PostgreSQL stopped and restarted during a load of citizen callbacks: no message that was answered
200 is missing, requests during the outage get 503 (never 200, never 500), and WeChat's retries
of the refused ones go through once the server is back.

The shared PostgreSQL of the machine is left alone: the test initialises a throwaway cluster in a
temp directory (as the ``postgres`` OS user when run as root — PostgreSQL refuses root), on a free
port, and stops it with ``pg_ctl stop -m fast`` mid-load, which kills the open connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from inbox_support import follower

from bot.app import create_app
from bot.config.load import load_settings
from review.db import create_engine, session_factory
from review.models import Base
from review.store.directory_sync import sync_directory

ROOT = Path(__file__).resolve().parents[2]
BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not BINS, reason="PostgreSQL server binaries (initdb) not installed"),
]


class Cluster:
    """A private PostgreSQL cluster: initdb, start, stop -m fast, start again."""

    def __init__(self, base: Path) -> None:
        self.bin = Path(BINS[-1]).parent
        self.dir = base
        self.data = base / "data"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"),
                  "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    base = Path(tempfile.mkdtemp(prefix="newmedia-pg-"))
    c = Cluster(base)
    try:
        c.init()
        c.start()
        yield c
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            c.stop()  # already stopped if the test failed while it was down
        shutil.rmtree(base, ignore_errors=True)


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
