"""The drain benchmark's set-up (``bench_publish_drain.py``): the sandbox platforms in a process
of their own, a fresh database per run, 1,000 distinct approved posts, lateness figures.

Run as a script (``python bench/drain_support.py LATENCY_MS``) it is that sandbox process.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import sys
import time
import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from publishing_support import seed  # type: ignore[import-not-found]  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot.config.load import Settings, load_settings  # noqa: E402
from bot.platforms.registry import sandbox_config  # noqa: E402
from bot.sandbox.wiring import sandbox_api_app  # noqa: E402
from channels.sandbox.app import Sandbox, create_sandbox  # noqa: E402
from review.db import SessionFactory  # noqa: E402
from review.models import Publication  # noqa: E402

ACCOUNTS = ("ccmz_wechat", "ccmz_weibo", "ccyl_wechat")
KEY_RE = re.compile(r"nm-\d+-\d+")


# ---- the sandbox (in this process or its own) -------------------------------------------------


def make_sandbox(settings: Settings, latency_ms: float) -> Sandbox:
    return create_sandbox(
        replace(sandbox_config(settings), latency=latency_ms / 1000, publish_delay=0.05)
    )


def posted_keys(sandbox: Sandbox) -> list[str]:
    """One entry per post the platforms accepted: the idempotency key(s) it carries."""
    keys: list[str] = []
    for state in sandbox.wechat.accounts.values():
        for job in state.jobs.values():
            for article in state.drafts[job.media_id]:
                found = KEY_RE.findall(
                    str(article.get("content", "")) + str(article.get("content_source_url", ""))
                )
                keys.extend(sorted(set(found)))
    for wstate in sandbox.weibo.accounts.values():
        for status in wstate.statuses:
            keys.extend(sorted(set(KEY_RE.findall(status.text))))
    return keys


def sandbox_app(sandbox: Sandbox) -> web.Application:
    app = sandbox_api_app(sandbox)

    async def keys(_request: web.Request) -> web.Response:
        return web.json_response(
            {
                "keys": posted_keys(sandbox),
                "calls": len(sandbox.recorder),
                "cpu": time.process_time(),
            }
        )

    app.router.add_get("/bench/keys", keys)
    return app


async def serve_sandbox(latency_ms: float) -> None:
    """The child process (this file run as a script). Prints its port, serves until stdin
    closes."""
    settings = load_settings(ROOT / "settings.toml", env={})
    runner = web.AppRunner(sandbox_app(make_sandbox(settings, latency_ms)), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(f"PORT {runner.addresses[0][1]}", flush=True)
    # the platform is another machine: keep its start-up heap out of the collector, as the
    # sandbox server does, so a full collection's timing does not land in the figures
    gc.freeze()
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()


class SandboxHandle:
    def __init__(self, mode: str, settings: Settings, latency_ms: float) -> None:
        self.mode = mode
        self.settings = settings
        self.latency_ms = latency_ms
        self.url = ""
        self._proc: asyncio.subprocess.Process | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        if self.mode == "process":
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                str(self.latency_ms),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            assert self._proc.stdout is not None
            port = int((await self._proc.stdout.readline()).split()[1])
        else:
            self._runner = web.AppRunner(
                sandbox_app(make_sandbox(self.settings, self.latency_ms)), access_log=None
            )
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", 0).start()
            port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def keys(self, http: aiohttp.ClientSession) -> tuple[list[str], float]:
        """The idempotency keys posted, and the sandbox process's CPU seconds so far."""
        async with http.get(self.url + "/bench/keys") as resp:
            data: dict[str, Any] = json.loads(await resp.read())
        return list(data["keys"]), float(data["cpu"])

    async def stop(self) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            await asyncio.wait_for(self._proc.wait(), 10)
        if self._runner is not None:
            await self._runner.cleanup()


# ---- one drain --------------------------------------------------------------------------------


async def fresh_db(kind: str, pg_url: str, tmp: Path) -> tuple[str, object]:
    if kind == "sqlite":
        path = tmp / f"bench-{uuid.uuid4().hex[:6]}.db"
        return f"sqlite+aiosqlite:///{path}", path
    schema = "bench_" + uuid.uuid4().hex[:8]
    admin = create_async_engine(pg_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{pg_url}?search_path={schema}", (admin, schema)


async def drop_db(cleanup: object) -> None:
    if isinstance(cleanup, Path):
        for suffix in ("", "-wal", "-shm"):
            await asyncio.to_thread(Path(str(cleanup) + suffix).unlink, missing_ok=True)
        return
    admin, schema = cast(tuple[Any, str], cleanup)
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


async def seed_distinct(sessions: SessionFactory, n: int, due_at: datetime) -> None:
    """``n`` approved posts round-robin over the accounts, no two alike on one account: each
    round of ``len(ACCOUNTS)`` gets its own title and body."""
    rounds = -(-n // len(ACCOUNTS))
    for r in range(rounds):
        take = min(len(ACCOUNTS), n - r * len(ACCOUNTS))
        await seed(
            sessions,
            take,
            accounts=ACCOUNTS,
            due_at=due_at,
            title=f"民政动态第{r + 1}期·",
            body=f"本市今冬救助工作有序开展（第{r + 1}期）：走访困难群众{r + 3}户，发放救助金。",
        )


def lateness(lates: list[float]) -> dict[str, float]:
    """Last, median and p99 (nearest rank) of the posts' ``late_seconds``."""
    xs = sorted(lates)
    if not xs:
        return {
            "last_late_s": float("nan"),
            "median_late_s": float("nan"),
            "p99_late_s": float("nan"),
        }
    p99 = xs[max(0, -(-99 * len(xs) // 100) - 1)]
    return {"last_late_s": xs[-1], "median_late_s": xs[len(xs) // 2], "p99_late_s": p99}


# ---- the database's side and other replicas ------------------------------------------------------


async def left(sessions: SessionFactory) -> int:
    async with sessions() as s:
        n = await s.scalar(
            select(func.count()).select_from(Publication).where(Publication.status == "scheduled")
        )
    return int(n or 0)


async def unsettled(sessions: SessionFactory) -> int:
    async with sessions() as s:
        n = await s.scalar(
            select(func.count())
            .select_from(Publication)
            .where(Publication.status.in_(("scheduled", "publishing")))
        )
    return int(n or 0)


async def settled(sessions: SessionFactory) -> None:
    """Until every row is published or failed: another replica's calls run in another process,
    so the database is polled (there is no event to wait on)."""
    while True:
        if not await unsettled(sessions):
            return
        await asyncio.sleep(0.05)


async def start_replicas(
    script: str, args: argparse.Namespace, url: str, sandbox_url: str
) -> list[asyncio.subprocess.Process]:
    """``--replicas`` − 1 other publishers (``script`` with ``--replica``), each ready (its
    token warm, its loop running) before the posts are seeded."""
    procs = []
    for _ in range(args.replicas - 1):
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            script,
            "--replica",
            url,
            sandbox_url,
            "--concurrency",
            str(args.concurrency),
            "--batch",
            str(args.batch),
            "--ahead",
            str(args.ahead),
            "--loop",
            args.loop,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert proc.stdout is not None
        if (await proc.stdout.readline()).strip() != b"READY":
            raise RuntimeError("a replica did not start")
        procs.append(proc)
    return procs


def line(kind: str, mode: str, r: dict[str, float]) -> str:
    return (
        f"{kind:10s} {mode:7s} accepted={r['accepted']:.0f} posts={r['platform_posts']:.0f} "
        f"exactly_once={'yes' if r['exactly_once'] else 'NO'} "
        f"last_late={r['last_late_s']:.3f}s median_late={r['median_late_s']:.3f}s "
        f"p99_late={r['p99_late_s']:.3f}s drain={r['drain_s']:.2f}s wall={r['wall_s']:.2f}s "
        f"cpu={r['cpu_s']:.2f}s sandbox_cpu={r['sandbox_cpu_s']:.2f}s "
        f"record_txns={r['record_txns']:.0f}"
    )


if __name__ == "__main__":
    asyncio.run(serve_sandbox(float(sys.argv[1])))
