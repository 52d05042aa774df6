"""Four processes mirroring the directory into one database at once (issue 12 item 4): four
``newmedia db upgrade`` and four ``newmedia serve`` replicas started together all succeed, and
the directory is exactly what the settings say.

Processes cannot be made to overlap precisely; the in-process race with a barrier is in
``tests/integration/review/test_directory_sync_race.py``. This is the end-to-end check.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from directory_support import expected, snapshot, specs_of
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.load import Settings, load_settings
from review.db import session_factory

ROOT = Path(__file__).resolve().parents[2]
REPLICAS = 4

pytestmark = [pytest.mark.slow, pytest.mark.pg]


def _settings_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _env(db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWMEDIA_")}
    env["NEWMEDIA_DATABASE_URL"] = db_url
    env["NEWMEDIA_MEDIA_ROOT"] = str(ROOT / "media")
    return env


def _at_once(argv: list[str], db_url: str, cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    """``REPLICAS`` copies of one command, all started before any is waited for."""
    procs = [
        subprocess.Popen(
            argv,
            cwd=cwd,
            env=_env(db_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(REPLICAS)
    ]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(argv, proc.returncode, out, err))
    return done


async def test_four_db_upgrades_at_once_all_succeed(
    engine: AsyncEngine, settings: Settings, db_url: str, tmp_path: Path
) -> None:
    """On a database with an empty directory, then after an edit of the settings file."""
    text = (ROOT / "settings.toml").read_text(encoding="utf-8")
    for round_text in (text, text.replace('wecom = "LiNa"', 'wecom = "LiNa2"')):
        path = _settings_file(tmp_path, round_text)
        argv = [sys.executable, "-m", "bot", "--settings", str(path), "db", "upgrade"]
        results = _at_once(argv, db_url, tmp_path)
        for r in results:
            assert r.returncode == 0, r.stderr
            assert "Traceback" not in r.stderr
        edited = replace(load_settings(path, env={}), database_url=db_url)
        assert await snapshot(session_factory(engine)) == expected(specs_of(edited))
    assert "LiNa2" in {i[1] for i in expected(specs_of(edited))["identities"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(port: int, proc: subprocess.Popen[bytes], deadline: float) -> bool:
    """Polls /healthz until the replica answers or exits (start-up readiness, not a race; the
    deadline is generous because four replicas start on a possibly busy CI machine)."""
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                return bool(json.loads(r.read())["ok"])
        except OSError:
            time.sleep(0.2)
    return False


@contextmanager
def _replica(path: Path, db_url: str, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    argv = [sys.executable, "-m", "bot", "--settings", str(path), "serve", "--port", str(port)]
    with log.open("w+b") as out:  # a file, not a pipe: a full pipe would block the replica
        proc = subprocess.Popen(
            argv, cwd=path.parent, env=_env(db_url), stdout=out, stderr=subprocess.STDOUT
        )
        try:
            yield proc, port
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@pytest.mark.pg_only  # replicas share PostgreSQL; embedded SQLite is one process
async def test_four_serve_replicas_started_together_all_come_up(
    engine: AsyncEngine, settings: Settings, db_url: str, tmp_path: Path
) -> None:
    path = _settings_file(tmp_path, (ROOT / "settings.toml").read_text(encoding="utf-8"))
    logs = [tmp_path / f"serve{i}.log" for i in range(REPLICAS)]
    with ExitStack() as stack:
        replicas = [stack.enter_context(_replica(path, db_url, log)) for log in logs]
        deadline = time.monotonic() + 180
        up = [_healthy(port, proc, deadline) for proc, port in replicas]
    for ok, log in zip(up, logs, strict=True):
        text = log.read_text(encoding="utf-8")
        assert ok, text[-3000:]
        assert "Traceback" not in text and "UniqueViolation" not in text, text[-3000:]
    assert await snapshot(session_factory(engine)) == expected(specs_of(settings))
