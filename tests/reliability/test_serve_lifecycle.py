"""``newmedia serve`` as an operator runs it: starts, answers /healthz, stops on a signal in < 10 s."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_health(port: int, timeout: float = 30) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                return dict(json.loads(r.read()))
        except OSError:
            time.sleep(0.2)
    raise AssertionError("service did not become healthy")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_starts_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    (tmp_path / "settings.toml").write_text(
        (ROOT / "settings.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWMEDIA_")}
    log = (tmp_path / "serve.log").open("w+b")  # a file, not a pipe: a full pipe would block
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "--settings",
            str(tmp_path / "settings.toml"),
            "serve",
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        health = wait_health(port)
        assert health["ok"] is True
        assert (tmp_path / "var" / "newmedia.db").exists()  # the embedded DB upgraded itself
        started = time.monotonic()
        proc.send_signal(sig)
        code = proc.wait(timeout=12)
        assert time.monotonic() - started < 10
        assert code == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log.close()
    err = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "stopping: finishing accepted work" in err
    assert "Traceback" not in err
    assert "sandbox-secret" not in err and "sandboxtoken" not in err  # no secrets in logs
