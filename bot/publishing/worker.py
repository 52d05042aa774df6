"""A publisher without the web service: ``python -m bot.publishing.worker --settings S``.

Runs the publish, reconcile and pending ticks in a loop against the settings' database and
platforms (or ``--sandbox-url`` for sandbox accounts). Several of these against one PostgreSQL
are what the reliability tests start; SIGTERM prints ``STOPPING`` (nothing new is sent from
then on), lets calls under way finish, then exits. ``--lease-seconds`` shortens the claim
lease below the settings' floor, so a crash test sees expiry in seconds, not minutes.

Fault hooks for the crash tests only (tests/reliability/test_publish_faults.py):
``NEWMEDIA_FAULT_KILL_AT=before_call:N`` kills the process with SIGKILL as its N-th attempt
starts, before anything is sent or the row marked; ``after_call:N`` right after
the N-th platform call returns, before its outcome is recorded. ``NEWMEDIA_FAULT_KILL_AFTER_CALL=N``
is the older spelling of ``after_call:N``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import replace

import aiohttp

from bot.config.load import Settings, load_settings
from bot.platforms.registry import build_channels, close_all, token_store
from bot.publishing.wiring import build_publisher
from bot.shutdown import SHUTDOWN
from review.db import create_engine, session_factory
from review.publishing.claiming import Claim
from review.publishing.engine import AfterCall
from review.publishing.reconciliation import poll_pending, reconcile_expired
from review.store import publications as store

log = logging.getLogger("newmedia.worker")
FAULT_ENV = "NEWMEDIA_FAULT_KILL_AT"
OLD_FAULT_ENV = "NEWMEDIA_FAULT_KILL_AFTER_CALL"
FAULT_POINTS = ("before_call", "after_call")


def kill_after(n: int) -> AfterCall:
    """A hook that kills this process (SIGKILL: no cleanup at all) the n-th time it is called."""
    calls = 0

    def hook(_publication_id: int) -> None:
        nonlocal calls
        calls += 1
        if calls >= n:
            os.kill(os.getpid(), signal.SIGKILL)

    return hook


def fault_hooks(env: Mapping[str, str]) -> dict[str, AfterCall]:
    """The engine hook (``before_call`` or ``after_call``) a fault variable asks for, if any."""
    spec = env.get(FAULT_ENV) or (
        f"after_call:{env[OLD_FAULT_ENV]}" if env.get(OLD_FAULT_ENV) else ""
    )
    if not spec:
        return {}
    point, _, count = spec.partition(":")
    if point not in FAULT_POINTS or not count.isdigit() or int(count) < 1:
        raise SystemExit(f"{FAULT_ENV}: expected before_call:N or after_call:N, got {spec!r}")
    return {point: kill_after(int(count))}


def with_lease(settings: Settings, lease_seconds: float | None) -> Settings:
    if lease_seconds is None:
        return settings
    publishing = settings.file.publishing.model_copy(update={"lease_seconds": lease_seconds})
    return replace(settings, file=settings.file.model_copy(update={"publishing": publishing}))


async def run(args: argparse.Namespace, claim: Claim = store.claim_due) -> int:
    # it publishes as the service does: every secret it needs, checked before it starts
    settings = with_lease(load_settings(args.settings, for_service=True), args.lease_seconds)
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    http = aiohttp.ClientSession()
    tokens = token_store(settings, sessions)
    channels = build_channels(settings, tokens, http=http, sandbox_url=args.sandbox_url)
    hooks = fault_hooks(os.environ)
    publisher = build_publisher(
        settings,
        sessions,
        channels,
        worker=args.worker_id,
        claim=claim,
        after_call=hooks.get("after_call"),
        before_call=hooks.get("before_call"),
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
            await publisher.hand_back_expired()  # unmarked: back to scheduled, no person
            await reconcile_expired(publisher)
            await poll_pending(publisher)
            await asyncio.sleep(tick)

    task = asyncio.ensure_future(work())
    await stop.wait()
    # publisher.stop marks it stopping before its first await: once a test reads this line,
    # no new call starts in this process
    print("STOPPING", flush=True)
    await publisher.stop(SHUTDOWN.calls, SHUTDOWN.hand_back)  # budgets: bot/shutdown.py
    await asyncio.wait([task], timeout=SHUTDOWN.ticks)
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
    p.add_argument("--lease-seconds", type=float, help="claim lease (tests: below the floor)")
    return p


def main(argv: Sequence[str] | None = None, claim: Claim = store.claim_due) -> int:
    logging.basicConfig(level=os.environ.get("NEWMEDIA_LOG_LEVEL", "WARNING"))
    return asyncio.run(run(parser().parse_args(argv), claim))


if __name__ == "__main__":
    raise SystemExit(main())
