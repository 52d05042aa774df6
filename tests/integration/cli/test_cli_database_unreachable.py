"""A command whose database cannot be reached says so in one line, without the URL's password,
and exits 2 — not a stack trace."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from app_support import run_cli

from bot.cli.actions import runner

ROOT = Path(__file__).resolve().parents[3]


def _closed_port() -> int:
    """A local port nothing listens on: bound, read, released (connecting is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("command", [("draft", "list"), ("publications", "list")])
def test_a_refused_connection_is_one_line_without_the_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: tuple[str, str]
) -> None:
    url = f"postgresql://bureau:sekrit-pw@127.0.0.1:{_closed_port()}/newmedia"
    monkeypatch.setenv("NEWMEDIA_DATABASE_URL", url)
    code, out, err = run_cli(capsys, *command)
    assert code == 2
    assert err.startswith("错误：数据库不可用（ConnectionRefusedError")
    assert "NEWMEDIA_DATABASE_URL" in err
    assert "sekrit-pw" not in err + out
    assert "Traceback" not in err


def test_a_bug_is_not_dressed_up_as_a_database_problem() -> None:
    """Only connection failures are translated; anything else still raises for a bug report."""
    assert runner.unreachable(ValueError("boom")) is None
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = ConnectionRefusedError(111, "Connect call failed")
    assert runner.unreachable(wrapped) == "ConnectionRefusedError: [Errno 111] Connect call failed"


def test_serve_says_the_same_and_leaks_nothing(tmp_path: Path) -> None:
    """``serve`` fails at start-up the same way; what started before the database (the HTTP
    session) is closed, not reported as unclosed."""
    env = {
        **os.environ,
        "NEWMEDIA_DATABASE_URL": f"postgresql://bureau:sekrit-pw@127.0.0.1:{_closed_port()}/x",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--settings", str(ROOT / "settings.toml"), "serve",
         "--port", str(_closed_port())],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    assert "数据库不可用（ConnectionRefusedError" in done.stderr
    assert "Unclosed" not in done.stderr + done.stdout
    assert "sekrit-pw" not in done.stderr + done.stdout


def test_a_closed_pipe_is_not_a_database_problem() -> None:
    """`newmedia publications list | head -2`: the reader went away — exit quietly (it said
    「数据库不可用（BrokenPipeError…）」)."""
    assert runner.unreachable(BrokenPipeError(32, "Broken pipe")) is None
