"""Processes for the multi-process publishing tests: an out-of-process sandbox and workers.

Each worker is ``python -m bot.publishing.worker`` (or the naive test worker) on one shared
database; the sandbox is ``python -m bot.sandbox_server`` with a control API that says how many
times each post reached the platform.
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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from review.db import SessionFactory
from review.models import Publication

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
    settings: Path, sandbox_url: str, env: dict[str, str], *, module: Sequence[str] = ()
) -> subprocess.Popen[str]:
    cmd = list(module) or [sys.executable, "-m", "bot.publishing.worker"]
    proc = subprocess.Popen(
        [*cmd, "--settings", str(settings), "--sandbox-url", sandbox_url],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
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
