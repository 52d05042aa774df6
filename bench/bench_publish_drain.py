"""How fast 1,000 posts due at the same second drain into the sandbox, and how late the last is.

    python bench/bench_publish_drain.py [--n 1000] [--latency-ms 5] [--pg URL]

One process: the sandbox on a loopback port (each API call answered after ``latency``), the real
WeChat/Weibo clients, the real publisher ticking every ``tick_seconds``. Lateness is measured as
the publication's own ``late_seconds`` (platform accepted − due). The baseline in the same run is
a sequential drain (one call at a time per account).
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import time
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from publishing_support import seed  # noqa: E402
from sqlalchemy import func, select, text, update  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot.channel_registry import build_channels, post_options, sandbox_config  # noqa: E402
from bot.publisher import Publisher  # noqa: E402
from bot.sandbox_wiring import sandbox_api_app  # noqa: E402
from bot.settings_load import load_settings  # noqa: E402
from channels.sandbox.app import create_sandbox  # noqa: E402
from review.db import create_engine, session_factory  # noqa: E402
from review.models import Base, Publication, utcnow  # noqa: E402
from review.store.directory import sync_directory  # noqa: E402
from review.store.tokens import DbTokenStore  # noqa: E402

ACCOUNTS = ("ccmz_wechat", "ccmz_weibo", "ccyl_wechat")


async def fresh_db(kind: str, pg_url: str, tmp: Path) -> tuple[str, object]:
    if kind == "sqlite":
        path = tmp / f"bench-{uuid.uuid4().hex[:6]}.db"
        return f"sqlite+aiosqlite:///{path}", None
    schema = "bench_" + uuid.uuid4().hex[:8]
    admin = create_async_engine(pg_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{pg_url}?search_path={schema}", (admin, schema)


async def run_once(kind: str, args: argparse.Namespace, concurrency: int) -> dict[str, float]:
    base = load_settings(ROOT / "settings.toml", env={})
    tmp = Path("/tmp")
    url, cleanup = await fresh_db(kind, args.pg, tmp)
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
    sandbox = create_sandbox(
        replace(sandbox_config(settings), latency=args.latency_ms / 1000, publish_delay=0.05)
    )
    runner = web.AppRunner(sandbox_api_app(sandbox), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    sandbox_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))
    channels = build_channels(settings, DbTokenStore(sessions), http=http, sandbox_url=sandbox_url)
    for ch in channels.values():  # warm the token (the refresher tick keeps one in production)
        api = getattr(ch, "api", None)
        if hasattr(api, "access_token"):
            await api.access_token()
    await seed(sessions, args.n, accounts=ACCOUNTS, due_at=utcnow() + timedelta(hours=1))
    due = (utcnow() + timedelta(seconds=2)).replace(microsecond=0)
    async with sessions.begin() as s:  # all due at the same second, shortly from now
        await s.execute(update(Publication).values(due_at=due))
    publisher = Publisher(sessions, channels, pub_cfg, options=post_options(settings))
    tick = pub_cfg.tick_seconds
    # the service's APScheduler interval tick, phase-aligned at random relative to the due second
    await asyncio.sleep(max(0.0, (due - utcnow()).total_seconds() - tick / 2))
    start = time.monotonic()
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
    async with sessions() as s:
        rows = (await s.execute(select(Publication.status, Publication.late_seconds))).all()
    ok = [late for status, late in rows if status in ("pending", "published")]
    submitted = sandbox.recorder.count("cgi-bin/freepublish/submit") + sandbox.recorder.count(
        "2/statuses/share.json"
    )
    await http.close()
    await runner.cleanup()
    await engine.dispose()
    if cleanup is not None:
        admin, schema = cleanup  # type: ignore[misc]
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
    lates = sorted(x or 0.0 for x in ok)
    return {
        "accepted": len(ok),
        "platform_posts": submitted,
        "last_late_s": lates[-1] if lates else float("nan"),
        "median_late_s": lates[len(lates) // 2] if lates else float("nan"),
        "wall_s": wall,
    }


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--latency-ms", type=float, default=5.0)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    p.add_argument("--backends", default="sqlite,postgresql")
    args = p.parse_args()
    print(
        f"# {platform.platform()} python {platform.python_version()} n={args.n} latency={args.latency_ms}ms"
    )
    for kind in args.backends.split(","):
        for label, conc in (("concurrent (8/account)", 8), ("baseline sequential (1/account)", 1)):
            r = await run_once(kind, args, conc)
            print(
                f"{kind:10s} {label:32s} accepted={r['accepted']:.0f} posts={r['platform_posts']:.0f} "
                f"last_late={r['last_late_s']:.2f}s median_late={r['median_late_s']:.2f}s wall={r['wall_s']:.2f}s",
                flush=True,
            )


if __name__ == "__main__":
    asyncio.run(main())
