"""How late the last of 1,000 posts due at the same instant reaches the platform: the service's
wake-up loop (``bot/publishing/wakeup.py``) against the one-second publish tick it replaced,
both in the same run.

    python bench/bench_publish_drain.py [--n 1000] [--latency-ms 5] [--repeat 3] [--pg URL]
                                        [--backends sqlite,postgresql] [--modes tick,wakeup]
                                        [--sandbox process|inline] [--concurrency 8]
                                        [--ahead 2] [--loop uvloop|asyncio] [--replicas 1]

The platform is another machine in production, so by default the sandbox runs in its **own
process** (``--sandbox process``, ``drain_support.py``) on a loopback port, answering every API
call after ``latency``. The publisher side is the real thing: WeChat/Weibo clients, the
publisher, the database. Each run seeds ``n`` distinct approved posts (round-robin over three
accounts), all due at the same second a little in the future, then:

- ``tick`` (the baseline, the old way): ``publish_due`` every ``tick_seconds`` with a phase
  chosen so the first tick after the due second comes half a tick late (the expected phase of
  an interval tick);
- ``wakeup``: the service's loop, running from the seeding on as a service would, sleeping
  until the earliest ``due_at`` it reads from the database less ``--ahead`` (LISTENing on
  PostgreSQL, as in the service): rows due within ``--ahead`` seconds (the service's
  ``prepare_ahead_seconds``, 2 by default) are claimed and prepared before their due second,
  and go public at it. ``--ahead 0`` measures the loop alone.

``--replicas N`` (wake-up mode) runs N publishers on the same database and sandbox: this process
and N−1 others started before the seeding (``--replica``), each its own worker, as N ``newmedia
serve`` processes would be.

Lateness is each publication's own ``late_seconds`` (platform accepted − due). "Exactly once" is
checked on the platform side: every idempotency key found in the submitted WeChat drafts and
Weibo statuses must appear once and all ``n`` must be there. Each configuration runs
``--repeat`` times; the medians and the wake-up/tick ratios are printed last.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from drain_support import (  # type: ignore[import-not-found]
    ROOT,
    SandboxHandle,
    drop_db,
    fresh_db,
    lateness,
    left,
    line,
    seed_distinct,
    settled,
    start_replicas,
)
from sqlalchemy import select, update

from bot.config.load import Settings, load_settings
from bot.platforms.registry import build_channels, token_store
from bot.publishing.listener import Listener, listen_target
from bot.publishing.wakeup import WakeUp
from bot.publishing.wiring import build_publisher
from bot.server import loop_factory
from review.db import SessionFactory, create_engine, session_factory
from review.models import Base, Publication, utcnow
from review.publishing.publisher import Publisher
from review.store import publications as store
from review.store.directory_sync import sync_directory

#: seconds between the seeding and the due second (more than the wake-up loop prepares ahead)
LEAD_S = 3.0


async def tick_drain(publisher: Publisher, sessions: SessionFactory, tick: float) -> None:
    """The old way: an interval tick, whatever is due when it fires."""
    while True:
        await publisher.publish_due()
        if not await left(sessions):
            return
        await asyncio.sleep(tick)


async def wakeup_drain(
    publisher: Publisher,
    sessions: SessionFactory,
    tick: float,
    database_url: str,
    stop: asyncio.Event | None = None,
) -> None:
    """The service's loop, stopped once nothing is left to publish (or at ``stop``: a replica)."""
    ahead = publisher.config.prepare_ahead_seconds
    done = stop or asyncio.Event()

    async def drain() -> int:
        taken = await publisher.publish_due()
        if stop is None and not await left(sessions):  # claimed, here or by another replica
            done.set()
        return taken

    async def next_due() -> Any:
        async with sessions() as s:
            return await store.next_due(s)

    loop = WakeUp(drain, next_due, fallback=tick, ahead=ahead)
    target = listen_target(database_url)
    if target is not None:
        loop.listener = Listener(target, loop.poke)
    loop.start()
    await done.wait()
    await loop.stop()
    if stop is None:
        await settled(sessions)


Drain = Callable[[Publisher, SessionFactory, float, str], Awaitable[None]]
MODES: dict[str, Drain] = {
    "tick": lambda p, s, t, _url: tick_drain(p, s, t),
    "wakeup": wakeup_drain,
}


def bench_settings(args: argparse.Namespace, url: str, ahead: float) -> Settings:
    """The demo settings on ``url`` with the run's publishing options."""
    base = load_settings(ROOT / "settings.toml", env={})
    pub_cfg = base.file.publishing.model_copy(
        update={
            "concurrency_per_account": args.concurrency,
            "batch_size": args.batch,
            "prepare_ahead_seconds": ahead,
        }
    )
    return replace(
        base, database_url=url, file=base.file.model_copy(update={"publishing": pub_cfg})
    )


async def warm_channels(
    settings: Settings, sessions: SessionFactory, http: aiohttp.ClientSession, sandbox_url: str
) -> dict[str, Any]:
    """The channels, each token fetched (the refresher tick keeps one in production)."""
    channels = build_channels(
        settings, token_store(settings, sessions), http=http, sandbox_url=sandbox_url
    )
    for ch in channels.values():
        api: Any = getattr(ch, "api", None)
        if hasattr(api, "access_token"):
            await api.access_token()
    return dict(channels)


async def run_once(kind: str, mode: str, args: argparse.Namespace) -> dict[str, float]:
    url, cleanup = await fresh_db(kind, args.pg, Path("/tmp"))
    # the tick it replaced prepared nothing ahead
    settings = bench_settings(args, url, args.ahead if mode == "wakeup" else 0.0)
    pub_cfg = settings.file.publishing
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
    channels = await warm_channels(settings, sessions, http, sandbox_url)
    gc.freeze()  # start-up done: as ``newmedia serve`` does (bot/inbox/wiring.py)
    others = await start_replicas(__file__, args, url, sandbox_url) if mode == "wakeup" else []
    await seed_distinct(sessions, args.n, utcnow() + timedelta(hours=1))
    due = (utcnow() + timedelta(seconds=LEAD_S)).replace(microsecond=0)
    async with sessions.begin() as s:  # all due at the same second, shortly from now
        await s.execute(update(Publication).values(due_at=due))
    publisher = build_publisher(settings, sessions, channels)
    tick = pub_cfg.tick_seconds
    # the tick starts half a tick before the due second (its expected phase); the wake-up loop
    # runs from now on, as in a service that was up before the posts fell due
    if mode == "tick":
        await asyncio.sleep(max(0.0, (due - utcnow()).total_seconds() - tick / 2))
    _, sandbox_cpu = await sandbox.keys(http)
    start = time.monotonic()
    cpu = time.process_time()
    await MODES[mode](publisher, sessions, tick, url)
    wall = time.monotonic() - start
    cpu = time.process_time() - cpu
    for proc in others:  # all settled: the other replicas stop
        assert proc.stdin is not None
        proc.stdin.close()
        await asyncio.wait_for(proc.wait(), 30)
    async with sessions() as s:
        rows = (await s.execute(select(Publication.status, Publication.late_seconds))).all()
    ok = [late or 0.0 for status, late in rows if status in ("pending", "published")]
    keys, sandbox_cpu_after = await sandbox.keys(http)
    posted = Counter(keys)
    await http.close()
    await sandbox.stop()
    await engine.dispose()
    await drop_db(cleanup)
    return {
        "accepted": len(ok),
        "platform_posts": sum(posted.values()),
        "exactly_once": float(len(posted) == args.n and set(posted.values()) == {1}),
        **lateness(ok),
        "drain_s": max(ok) - min(ok) if ok else float("nan"),
        "wall_s": wall,
        "cpu_s": cpu,
        "sandbox_cpu_s": sandbox_cpu_after - sandbox_cpu if args.sandbox == "process" else 0.0,
        "record_txns": getattr(publisher.recorder, "batches", float("nan")),
    }


async def replica(args: argparse.Namespace) -> None:
    """One more publisher on the same database and sandbox, until its stdin closes."""
    url, sandbox_url = args.replica
    settings = bench_settings(args, url, args.ahead)
    pub_cfg = settings.file.publishing
    engine = create_engine(url)
    sessions = session_factory(engine)
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))
    channels = await warm_channels(settings, sessions, http, sandbox_url)
    gc.freeze()
    stop = asyncio.Event()
    publisher = build_publisher(settings, sessions, channels)
    running = asyncio.ensure_future(
        wakeup_drain(publisher, sessions, pub_cfg.tick_seconds, url, stop)
    )
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    stop.set()
    await running
    await publisher.stop(grace=5)
    await http.close()
    await engine.dispose()


async def main(args: argparse.Namespace) -> None:
    print(
        f"# {platform.platform()} python {platform.python_version()} cores={os.cpu_count()} "
        f"load={os.getloadavg()[0]:.2f} n={args.n} latency={args.latency_ms}ms "
        f"batch={args.batch} concurrency={args.concurrency} sandbox={args.sandbox} "
        f"ahead={args.ahead}s loop={args.loop} replicas={args.replicas} "
        f"repeat={args.repeat}",
        flush=True,
    )
    modes = args.modes.split(",")
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    for _ in range(args.repeat):
        for kind in args.backends.split(","):
            for mode in modes:  # alternating, so both see the same machine
                r = await run_once(kind, mode, args)
                results.setdefault((kind, mode), []).append(r)
                print(line(kind, mode, r) + f" load={os.getloadavg()[0]:.2f}", flush=True)
    print("# medians")
    for (kind, mode), runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        med["exactly_once"] = float(all(r["exactly_once"] for r in runs))
        print(line(kind, mode, med) + f" (of {len(runs)})", flush=True)
    for kind in args.backends.split(","):
        if (kind, "tick") in results and (kind, "wakeup") in results:
            ratios = [
                f"{k}={statistics.median(r[k] for r in results[(kind, 'wakeup')]) / t:.2f}"
                for k in ("last_late_s", "median_late_s", "p99_late_s")
                if (t := statistics.median(r[k] for r in results[(kind, "tick")]))
            ]
            print(f"# {kind} wakeup/tick: " + " ".join(ratios), flush=True)


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--latency-ms", type=float, default=5.0)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--concurrency", type=int, default=8, help="calls at a time per account")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--modes", default="tick,wakeup")
    p.add_argument("--sandbox", choices=("process", "inline"), default="process")
    p.add_argument(
        "--ahead",
        type=float,
        default=load_settings(ROOT / "settings.toml", env={}).file.publishing.prepare_ahead_seconds,
        help="the wake-up loop's prepare_ahead_seconds (default: the service's)",
    )
    p.add_argument("--replicas", type=int, default=1, help="publishers (wake-up mode)")
    p.add_argument(
        "--replica", nargs=2, metavar=("DATABASE_URL", "SANDBOX_URL"), help=argparse.SUPPRESS
    )
    p.add_argument(
        "--loop",
        choices=("uvloop", "asyncio"),
        default="uvloop",
        help="the publisher's event loop (default uvloop: newmedia serve's, bot/server.py)",
    )
    return p.parse_args()


if __name__ == "__main__":
    arguments = parse()
    factory = loop_factory() if arguments.loop == "uvloop" else None
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(replica(arguments) if arguments.replica else main(arguments))
