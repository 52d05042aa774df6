"""A publisher without the web service: ``python -m bot.publishing.worker --settings S``.

Runs the publish, reconcile and pending ticks in a loop against the settings' database and
platforms (or ``--sandbox-url`` for sandbox accounts). Several of these against one PostgreSQL
are what the reliability tests start; SIGTERM lets calls under way finish, then exits.

Fault hook for the crash test only: ``NEWMEDIA_FAULT_KILL_AFTER_CALL=N`` kills the process with
SIGKILL right after the N-th platform call returns, before its outcome is recorded.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
from collections.abc import Sequence

import aiohttp

from bot.config.load import load_settings
from bot.platforms.registry import build_channels, close_all, token_store
from bot.publishing.wiring import build_publisher
from review.db import create_engine, session_factory
from review.publishing.claiming import Claim
from review.publishing.engine import AfterCall
from review.publishing.reconciliation import poll_pending, reconcile_expired
from review.store import publications as store

log = logging.getLogger("newmedia.worker")
FAULT_ENV = "NEWMEDIA_FAULT_KILL_AFTER_CALL"


def kill_after(n: int) -> AfterCall:
    calls = 0

    def hook(_publication_id: int) -> None:
        nonlocal calls
        calls += 1
        if calls >= n:
            os.kill(os.getpid(), signal.SIGKILL)

    return hook


async def run(args: argparse.Namespace, claim: Claim = store.claim_due) -> int:
    # it publishes as the service does: every secret it needs, checked before it starts
    settings = load_settings(args.settings, for_service=True)
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    http = aiohttp.ClientSession()
    tokens = token_store(settings, sessions)
    channels = build_channels(settings, tokens, http=http, sandbox_url=args.sandbox_url)
    fault = os.environ.get(FAULT_ENV)
    publisher = build_publisher(
        settings,
        sessions,
        channels,
        worker=args.worker_id,
        claim=claim,
        after_call=kill_after(int(fault)) if fault else None,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # start-up objects live as long as the process: out of the collector's sight, as in serve
    gc.freeze()
    print(f"READY {publisher.worker}", flush=True)
    tick = settings.file.publishing.tick_seconds

    async def work() -> None:
        while not publisher.stopping:
            await publisher.publish_due()
            await reconcile_expired(publisher)
            await poll_pending(publisher)
            await asyncio.sleep(tick)

    task = asyncio.ensure_future(work())
    await stop.wait()
    await publisher.stop(grace=8.0)
    await asyncio.wait([task], timeout=1.0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await close_all(channels)
    await http.close()
    await engine.dispose()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot.publishing.worker")
    p.add_argument("--settings", required=True)
    p.add_argument("--sandbox-url", help="base URL of an out-of-process sandbox")
    p.add_argument("--worker-id", help="name written to claimed_by (default host-pid-random)")
    return p


def main(argv: Sequence[str] | None = None, claim: Claim = store.claim_due) -> int:
    logging.basicConfig(level=os.environ.get("NEWMEDIA_LOG_LEVEL", "WARNING"))
    return asyncio.run(run(parser().parse_args(argv), claim))


if __name__ == "__main__":
    raise SystemExit(main())
