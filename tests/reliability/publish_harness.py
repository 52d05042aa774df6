"""Processes for the multi-process publishing tests: an out-of-process sandbox and workers.

Each worker is ``python -m bot.publishing.worker`` (or the naive test worker) on one shared
database; the sandbox is ``python -m bot.sandbox_server`` with a control API that says how many
times each post reached the platform, which posts' publishing calls arrived, and holds answers.
``Cluster`` names its workers (their ``claimed_by``) so a test can kill the one holding a row;
``problems`` is the fault suite's pass criteria (issue 12 item 11) over one final state.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select

from review.db import SessionFactory
from review.models import Notification, Publication

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = ("ccmz_wechat", "ccmz_weibo", "ccyl_wechat")
SETTLED = ("published", "failed", "needs_check", "cancelled")


def write_settings(tmp: Path, **publishing: object) -> Path:
    """The shipped settings with a faster publishing section."""
    text = (ROOT / "settings.toml").read_text(encoding="utf-8")
    values = {
        "tick_seconds": 0.1,
        "lease_seconds": 10,
        "max_attempts": 5,
        "backoff_base_seconds": 0.1,
        "backoff_cap_seconds": 0.5,
        "batch_size": 50,
        **publishing,
    }
    section = "[publishing]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items())
    text = re.sub(r"\[publishing\]\n(?:[^\[].*\n)*", section + "\n", text, count=1)
    path = tmp / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def env_for(db_url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "NEWMEDIA_DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    env["NEWMEDIA_MEDIA_ROOT"] = str(ROOT / "media")  # the shipped covers
    env.pop("NEWMEDIA_FAULT_KILL_AFTER_CALL", None)
    env.pop("NEWMEDIA_FAULT_KILL_AT", None)
    env.update(extra)
    return env


@contextmanager
def sandbox_process(settings: Path, *extra: str) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.sandbox_server", "--settings", str(settings), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("LISTENING "), line
        yield line.split()[1]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def start_worker(
    settings: Path,
    sandbox_url: str,
    env: dict[str, str],
    *,
    module: Sequence[str] = (),
    args: Sequence[str] = (),
) -> subprocess.Popen[str]:
    cmd = list(module) or [sys.executable, "-m", "bot.publishing.worker"]
    proc = subprocess.Popen(
        [*cmd, "--settings", str(settings), "--sandbox-url", sandbox_url, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:  # it died before it was ready: say how (its traceback is in captured stderr)
        assert proc.wait(timeout=30) is None, f"worker exited {proc.returncode} before READY"
    assert line.startswith("READY") or proc.poll() is not None, line
    return proc


def stop(proc: subprocess.Popen[str], timeout: float = 10.0) -> float:
    """SIGTERM and wait; returns how long the exit took."""
    started = time.monotonic()
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=timeout)
    return time.monotonic() - started


def control(sandbox_url: str, path: str, body: dict[str, object] | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        sandbox_url + path, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def published_counts(sandbox_url: str) -> dict[str, int]:
    counts = control(sandbox_url, "/_control/published")
    assert isinstance(counts, dict)
    return {str(k): int(v) for k, v in counts.items()}


async def status_counts(sf: SessionFactory) -> dict[str, int]:
    async with sf() as s:
        rows = await s.execute(
            select(Publication.status, func.count()).group_by(Publication.status)
        )
        return {status: int(n) for status, n in rows.all()}


async def wait_settled(sf: SessionFactory, total: int, limit: float = 40.0) -> dict[str, int]:
    deadline = time.monotonic() + limit
    while True:
        counts = await status_counts(sf)
        if sum(counts.get(s, 0) for s in SETTLED) == total:
            return counts
        if time.monotonic() > deadline:
            return counts
        await asyncio.sleep(0.2)


# ---- the fault suite: held answers, named workers, the pass criteria ----------------------------

#: the engine's fault hook (bot/publishing/worker.py): ``before_call:N`` / ``after_call:N``
KILL_AT = "NEWMEDIA_FAULT_KILL_AT"


def hold(sandbox_url: str, endpoint: str, n: int = 1) -> None:
    """The next ``n`` successful calls of ``endpoint`` do their work; their answers wait."""
    control(sandbox_url, "/_control/hold", {"endpoint": endpoint, "n": n})


def held(sandbox_url: str) -> list[str]:
    keys = control(sandbox_url, "/_control/held")
    assert isinstance(keys, list)
    return [str(k) for k in keys]


def release(sandbox_url: str) -> None:
    control(sandbox_url, "/_control/release", {})


def sent_counts(sandbox_url: str) -> dict[str, int]:
    """Idempotency key → publishing calls (share / submit) the platform received for it."""
    counts = control(sandbox_url, "/_control/sent")
    assert isinstance(counts, dict)
    return {str(k): int(v) for k, v in counts.items()}


async def until(probe: Callable[[], Awaitable[T | None]], what: str, limit: float = 60.0) -> T:
    """Poll ``probe`` until it returns something; the limit only guards against a hang."""
    deadline = time.monotonic() + limit
    while (found := await probe()) is None:
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await asyncio.sleep(0.1)
    return found


class Cluster:
    """Worker processes on one database and one sandbox, named ``w0``, ``w1`` … (the name is
    their ``claimed_by``), so a test can kill exactly the one that holds a row."""

    def __init__(self, settings: Path, sandbox_url: str, db_url: str, lease: float) -> None:
        self.settings, self.url, self.db_url, self.lease = settings, sandbox_url, db_url, lease
        self.procs: dict[str, subprocess.Popen[str]] = {}

    def start(self, n: int = 1, **env: str) -> list[str]:
        names = [f"w{len(self.procs) + i}" for i in range(n)]
        for name in names:
            args = ("--worker-id", name, "--lease-seconds", str(self.lease))
            self.procs[name] = start_worker(
                self.settings, self.url, env_for(self.db_url, **env), args=args
            )
        return names

    def alive(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.poll() is None]

    def kill9(self, name: str) -> None:
        self.procs[name].kill()
        assert self.procs[name].wait(timeout=30) == -signal.SIGKILL

    def terminate(self, name: str) -> None:
        """SIGTERM, and wait until the worker says it has stopped sending (``STOPPING``)."""
        proc = self.procs[name]
        proc.send_signal(signal.SIGTERM)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "STOPPING"

    def exit_code(self, name: str, timeout: float = 60.0) -> int:
        return self.procs[name].wait(timeout=timeout)

    def close(self) -> None:
        for name in self.alive():
            stop(self.procs[name], timeout=30)


@contextmanager
def cluster(settings: Path, db_url: str, lease: float, *sandbox_args: str) -> Iterator[Cluster]:
    with sandbox_process(settings, *sandbox_args) as url:
        workers = Cluster(settings, url, db_url, lease)
        try:
            yield workers
        finally:
            workers.close()


@dataclass(frozen=True)
class Row:
    id: int
    key: str
    status: str
    claimed_by: str | None
    error: str | None
    #: its sending mark was committed: the call was about to leave (it may have been sent)
    marked: bool = False


async def rows(sf: SessionFactory) -> list[Row]:
    async with sf() as s:
        pubs = (await s.scalars(select(Publication).order_by(Publication.id))).all()
    return [
        Row(p.id, p.idempotency_key, p.status, p.claimed_by, p.last_error, p.sending_at is not None)
        for p in pubs
    ]


async def notification_kinds(sf: SessionFactory) -> list[str]:
    async with sf() as s:
        return sorted((await s.scalars(select(Notification.kind))).all())


async def wait_quiet(sf: SessionFactory, limit: float = 120.0) -> list[Row]:
    """Every row in a final state (or, after ``limit``, whatever is left, for the message)."""
    deadline = time.monotonic() + limit
    while True:
        now = await rows(sf)
        if all(r.status in SETTLED for r in now) or time.monotonic() > deadline:
            return now
        await asyncio.sleep(0.2)


def problems(final: list[Row], published: dict[str, int], sent: dict[str, int]) -> list[str]:
    """Issue 12's pass criteria over one settled run, as readable complaints (empty: pass).

    Every post on the platform exactly once, and only posts the database calls published; none
    left unsettled; ``needs_check`` only for a post that may have been sent — its publishing call
    reached the platform, or its sending mark was committed just before that call when the
    process died (WeChat cannot tell a submit that never left from one still processing) — and
    that is not live (a live one was there to be found)."""
    found: list[str] = []
    by_key = {r.key: r for r in final}
    for r in final:
        live = published.get(r.key, 0)
        if r.status not in SETTLED:
            found.append(f"{r.id} left {r.status} (claimed by {r.claimed_by})")
        elif r.status == "published" and live != 1:
            found.append(f"{r.id} published, on the platform {live} times")
        elif r.status == "needs_check" and not (sent.get(r.key) or r.marked):
            found.append(f"{r.id} needs_check but never marked nor sent: {r.error}")
        elif r.status == "needs_check" and live:
            found.append(f"{r.id} needs_check but live (the search missed it): {r.error}")
        elif r.status in ("failed", "cancelled") and live:
            found.append(f"{r.id} {r.status} but on the platform {live} times")
    found += [
        f"{key} on the platform, unknown to the database"
        for key in published.keys() - by_key.keys()
    ]
    return found


def tally(final: list[Row]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in final:
        out[r.status] = out.get(r.status, 0) + 1
    return out
