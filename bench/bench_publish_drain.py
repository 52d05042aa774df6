"""How fast 1,000 posts due at the same second drain into the sandbox, and how late the last is.

    python bench/bench_publish_drain.py [--n 1000] [--latency-ms 5] [--repeat 3] [--pg URL]
                                        [--backends sqlite,postgresql] [--sandbox process|inline]

The platform is another machine in production, so by default the sandbox runs in its **own
process** (``--sandbox process``) on a loopback port, answering every API call after
``latency``; ``--sandbox inline`` puts it on the publisher's event loop as the first version of
this benchmark did. The publisher side is the real thing: WeChat/Weibo clients, the publisher,
the database, ticking every ``tick_seconds`` with a phase chosen so the first tick after the due
second comes half a tick late (the expected phase of an interval tick).

Lateness is each publication's own ``late_seconds`` (platform accepted − due). "Exactly once"
is checked on the platform side: every idempotency key found in the submitted WeChat drafts and
Weibo statuses, each must appear once and all ``n`` must be there. The baseline in the same run
is a sequential drain (one call at a time per account). Each configuration runs ``--repeat``
times; the medians are printed last.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import re
import statistics
import sys
import time
import uuid
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from publishing_support import seed  # type: ignore[import-not-found]  # noqa: E402
from sqlalchemy import func, select, text, update  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot.config.load import Settings, load_settings  # noqa: E402
from bot.platforms.registry import build_channels, sandbox_config, token_store  # noqa: E402
from bot.publishing.wiring import build_publisher  # noqa: E402
from bot.sandbox.wiring import sandbox_api_app  # noqa: E402
from channels.sandbox.app import Sandbox, create_sandbox  # noqa: E402
from review.db import create_engine, session_factory  # noqa: E402
from review.models import Base, Publication, utcnow  # noqa: E402
from review.store.directory import sync_directory  # noqa: E402

ACCOUNTS = ("ccmz_wechat", "ccmz_weibo", "ccyl_wechat")
KEY_RE = re.compile(r"nm-\d+-\d+")
CONFIGS = (("concurrent (8/account)", 8), ("baseline sequential (1/account)", 1))


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
    """``--serve-sandbox``: the child process. Prints its port, serves until stdin closes."""
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
                "--serve-sandbox",
                "--latency-ms",
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


async def run_once(kind: str, args: argparse.Namespace, concurrency: int) -> dict[str, float]:
    base = load_settings(ROOT / "settings.toml", env={})
    url, cleanup = await fresh_db(kind, args.pg, Path("/tmp"))
    pub_cfg = base.file.publishing.model_copy(
        update={"concurrency_per_account": concurrency, "batch_size": args.batch}
    )
    settings = replace(
        base, database_url=url, file=base.file.model_copy(update={"publishing": pub_cfg})
    )
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    sessions = session_factory(engine)
    async with sessions.begin() as s:
        await sync_directory(
            s, settings.departments.values(), settings.people.values(), settings.accounts.values()
        )
    sandbox = SandboxHandle(args.sandbox, settings, args.latency_ms)
    sandbox_url = await sandbox.start()
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))
    tokens = token_store(settings, sessions)
    channels = build_channels(settings, tokens, http=http, sandbox_url=sandbox_url)
    for ch in channels.values():  # warm the token (the refresher tick keeps one in production)
        api: Any = getattr(ch, "api", None)
        if hasattr(api, "access_token"):
            await api.access_token()
    gc.freeze()  # start-up done: as ``newmedia serve`` does (bot/inbox/wiring.py)
    await seed(sessions, args.n, accounts=ACCOUNTS, due_at=utcnow() + timedelta(hours=1))
    due = (utcnow() + timedelta(seconds=2)).replace(microsecond=0)
    async with sessions.begin() as s:  # all due at the same second, shortly from now
        await s.execute(update(Publication).values(due_at=due))
    publisher = build_publisher(settings, sessions, channels)
    tick = pub_cfg.tick_seconds
    # the service's APScheduler interval tick, phase-aligned at random relative to the due second
    await asyncio.sleep(max(0.0, (due - utcnow()).total_seconds() - tick / 2))
    _, sandbox_cpu = await sandbox.keys(http)
    start = time.monotonic()
    cpu = time.process_time()
    while True:
        await publisher.publish_due()
        async with sessions() as s:
            left = await s.scalar(
                select(func.count())
                .select_from(Publication)
                .where(Publication.status == "scheduled")
            )
        if not left:
            break
        await asyncio.sleep(tick)
    wall = time.monotonic() - start
    cpu = time.process_time() - cpu
    async with sessions() as s:
        rows = (await s.execute(select(Publication.status, Publication.late_seconds))).all()
    ok = [late for status, late in rows if status in ("pending", "published")]
    keys, sandbox_cpu_after = await sandbox.keys(http)
    posted = Counter(keys)
    await http.close()
    await sandbox.stop()
    await engine.dispose()
    await drop_db(cleanup)
    lates = sorted(x or 0.0 for x in ok)
    spread = lates[-1] - lates[0] if lates else float("nan")  # first accepted → last accepted
    uploads = sum(getattr(getattr(c, "covers", None), "uploads", 0) for c in channels.values())
    return {
        "accepted": len(ok),
        "platform_posts": sum(posted.values()),
        "exactly_once": float(len(posted) == args.n and set(posted.values()) == {1}),
        "last_late_s": lates[-1] if lates else float("nan"),
        "median_late_s": lates[len(lates) // 2] if lates else float("nan"),
        "wall_s": wall,
        "cpu_s": cpu,
        "sandbox_cpu_s": sandbox_cpu_after - sandbox_cpu if args.sandbox == "process" else 0.0,
        "drain_s": spread,
        "record_txns": getattr(publisher.recorder, "batches", float("nan")),
        "cover_uploads": uploads,
    }


def line(kind: str, label: str, r: dict[str, float]) -> str:
    return (
        f"{kind:10s} {label:32s} accepted={r['accepted']:.0f} posts={r['platform_posts']:.0f} "
        f"exactly_once={'yes' if r['exactly_once'] else 'NO'} "
        f"last_late={r['last_late_s']:.2f}s median_late={r['median_late_s']:.2f}s "
        f"drain={r['drain_s']:.2f}s wall={r['wall_s']:.2f}s cpu={r['cpu_s']:.2f}s "
        f"sandbox_cpu={r['sandbox_cpu_s']:.2f}s record_txns={r['record_txns']:.0f} "
        f"cover_uploads={r['cover_uploads']:.0f}"
    )


async def main(args: argparse.Namespace) -> None:
    print(
        f"# {platform.platform()} python {platform.python_version()} cores={os.cpu_count()} "
        f"n={args.n} latency={args.latency_ms}ms batch={args.batch} sandbox={args.sandbox} "
        f"repeat={args.repeat}",
        flush=True,
    )
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    for _ in range(args.repeat):
        for kind in args.backends.split(","):
            for label, conc in CONFIGS[: 1 if args.no_baseline else None]:
                r = await run_once(kind, args, conc)
                results.setdefault((kind, label), []).append(r)
                print(line(kind, label, r), flush=True)
    print("# medians")
    for (kind, label), runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        med["exactly_once"] = float(all(r["exactly_once"] for r in runs))
        print(line(kind, label, med) + f" (of {len(runs)})", flush=True)


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--latency-ms", type=float, default=5.0)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--sandbox", choices=("process", "inline"), default="process")
    p.add_argument("--no-baseline", action="store_true", help="skip the sequential baseline")
    p.add_argument("--serve-sandbox", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args()


if __name__ == "__main__":
    ARGS = parse()
    if ARGS.serve_sandbox:
        asyncio.run(serve_sandbox(ARGS.latency_ms))
    else:
        asyncio.run(main(ARGS))
