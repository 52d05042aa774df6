"""``newmedia serve --workers 2`` as an operator runs it: both processes answer on one port,
every message is stored once and routed by the primary, the demo sandbox is the same from
either worker, a dead secondary is replaced, and a stop or a lost primary stops everything."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from test_serve_lifecycle import free_port, wait_health

from bot.config.load import load_settings
from channels.sandbox.follower import Follower

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    (tmp_path / "settings.toml").write_text(
        (ROOT / "settings.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWMEDIA_")}
    log = (tmp_path / "serve.log").open("w+b")
    argv = [sys.executable, "-m", "bot", "--settings", str(tmp_path / "settings.toml"), "serve",
            "--port", str(port), "--workers", "2"]  # fmt: skip
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield proc, port, tmp_path
    finally:
        for pid in _pids_of(tmp_path):
            _kill(pid)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def _pids_of(tmp_path: Path) -> list[int]:
    out = subprocess.run(["pgrep", "-f", str(tmp_path / "settings.toml")], capture_output=True)
    return [int(x) for x in out.stdout.split()]


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is gone for our purposes
        return f.read().split(")")[-1].split()[0] != "Z"


def workers_seen(port: int, timeout: float = 60) -> dict[str, int]:
    """role → pid, over fresh connections until both roles have answered."""
    wait_health(port)
    seen: dict[str, int] = {}
    counts: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < 2 and time.monotonic() < deadline:
        try:
            worker = wait_health(port, timeout=5)["worker"]
        except AssertionError:
            continue
        assert isinstance(worker, dict)
        seen[str(worker["role"])] = int(worker["pid"])
        counts.add(int(worker["of"]))
        time.sleep(0.02)
    assert set(seen) == {"primary", "secondary"}, seen
    assert counts == {2}  # each knows it is one of two
    return seen


def _db(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(tmp_path / "var" / "newmedia.db")
    try:
        return list(con.execute(sql).fetchall())
    finally:
        con.close()


async def _send_all(port: int, tmp_path: Path, n: int) -> list[tuple[int, str | None]]:
    s = load_settings(tmp_path / "settings.toml", env={})
    sec, acc = s.secrets["ccmz_wechat"], s.accounts["ccmz_wechat"]
    # a fresh connection per request: the kernel spreads them over both workers
    conn = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=conn) as http:
        base = f"http://127.0.0.1:{port}"
        followers = [
            Follower(
                base,
                "ccmz_wechat",
                sec.token,
                sec.aes_key,
                acc.app_id,
                "aes",
                f"o_w{i}",
                session=http,
            )
            for i in range(6)
        ]
        requests = [
            (f := followers[i % 6], f.build_request(f.text_xml(f"想咨询养老院入住（{i}）", msg_id=70_000 + i)))
            for i in range(n)
        ]  # fmt: skip
        gate = asyncio.Semaphore(8)

        async def one(f: Follower, req: tuple[dict[str, str], bytes]) -> tuple[int, str | None]:
            async with gate:
                r = await f.post(*req)
                return r.status, r.text

        first = await asyncio.gather(*(one(f, q) for f, q in requests))
        again = await asyncio.gather(*(one(f, q) for f, q in requests))  # WeChat's retries
        assert again == first  # same answer whichever worker took the retry
        return first


def test_two_workers_share_the_port_the_data_and_the_sandbox(
    served: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    proc, port, tmp_path = served
    pids = workers_seen(port)
    answers = asyncio.run(_send_all(port, tmp_path, 120))
    assert all(status == 200 and text and "受理编号" in text for status, text in answers)
    mine = "FROM citizen_messages WHERE sender LIKE 'o!_w%' ESCAPE '!'"
    assert _db(tmp_path, f"SELECT count(*) {mine}")[0] == (120,)
    # only the primary routes, also what the secondary committed (it polls every second)
    deadline = time.monotonic() + 30
    sql = f"SELECT count(*) {mine} AND processed = 1 AND department_id IS NOT NULL"
    while _db(tmp_path, sql)[0] != (120,) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert _db(tmp_path, sql)[0] == (120,)

    async def pages() -> list[tuple[int, str]]:
        conn = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(connector=conn) as http:
            out = []
            for _ in range(16):
                async with http.get(f"http://127.0.0.1:{port}/sandbox/") as r:
                    out.append((r.status, await r.text()))
            return out

    got = asyncio.run(pages())
    assert {status for status, _ in got} == {200}
    assert all("沙箱" in text for _, text in got)

    # a secondary that dies is replaced
    _kill(pids["secondary"])
    deadline = time.monotonic() + 30
    replaced = None
    while replaced is None and time.monotonic() < deadline:
        seen = workers_seen(port)
        if seen["secondary"] != pids["secondary"]:
            replaced = seen["secondary"]
    assert replaced is not None and seen["primary"] == pids["primary"]

    # SIGTERM to the primary stops both within 10 s
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=12) == 0
    while _alive(replaced) and time.monotonic() - started < 10:
        time.sleep(0.1)
    assert not _alive(replaced)
    assert time.monotonic() - started < 10
    err = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "starting another in" in err
    assert "Traceback" not in err


def test_a_secondary_stops_when_its_primary_is_killed(
    served: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    proc, port, _tmp = served
    pids = workers_seen(port)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while _alive(pids["secondary"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pids["secondary"])


@pytest.mark.parametrize("workers", ["2", "1"])
def test_a_second_instance_on_the_same_port_is_refused(
    served: tuple[subprocess.Popen[bytes], int, Path], workers: str
) -> None:
    """SO_REUSEPORT would let it join the workers silently (two primaries, two schedulers); a
    single process would start its ticks on the shared database before its bind failed."""
    proc, port, tmp_path = served
    workers_seen(port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWMEDIA_")}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "--settings", str(tmp_path / "settings.toml"), "serve",
         "--port", str(port), "--workers", workers],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 2
    assert f"127.0.0.1:{port} 已被占用" in out.stdout
    assert "Traceback" not in out.stderr
    assert proc.poll() is None  # the running one is untouched


def test_workers_are_refused_on_an_in_memory_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWMEDIA_")}
    env["NEWMEDIA_DATABASE_URL"] = "sqlite:///:memory:"
    text = (ROOT / "settings.toml").read_text(encoding="utf-8")
    (tmp_path / "settings.toml").write_text(text, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "bot", "--settings", str(tmp_path / "settings.toml"), "serve",
         "--port", str(free_port()), "--workers", "2"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 2
    assert "内存数据库无法在多个进程间共享" in out.stdout + out.stderr
