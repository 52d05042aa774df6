"""Citizen callback throughput and latency: our service against WeRoBot, same machine, same run.

Both in AES (safe) mode. Ours is the real ``newmedia serve`` (demo settings, a fresh SQLite file
or a fresh PostgreSQL database per run) committing every message before answering — the stored
count is checked against the number of distinct messages sent; WeRoBot runs under gunicorn with 2
workers and stores nothing. The load generator sends pre-built, signed and encrypted requests with
distinct MsgIds over ``--concurrency`` keep-alive connections (raw asyncio streams, so the client
costs the shared CPU as little as possible; it reconnects when a server closes the connection, as
gunicorn's sync workers do after every response). Each run (WeRoBot then ours) holds
``/tmp/newmedia-bench.lock`` so two engineers' benchmarks never overlap; the report gives the
median of ``--runs`` runs.

    python bench/bench_callback.py --runs 3 --n 20000 --concurrency 16 [--db postgresql://…/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config.load import load_settings  # noqa: E402
from channels.sandbox.follower import Follower  # noqa: E402

ACCOUNT = "ccmz_wechat"
SENDER = "o_bench_citizen"
LOCK = "/tmp/newmedia-bench.lock"


def build(port: int, n: int, first_id: int) -> list[bytes]:
    """``n`` complete HTTP requests (distinct MsgId and nonce each)."""
    s = load_settings(ROOT / "settings.toml", env={})
    sec, acc = s.secrets[ACCOUNT], s.accounts[ACCOUNT]
    f = Follower(
        f"http://127.0.0.1:{port}", ACCOUNT, sec.token, sec.aes_key, acc.app_id, "aes", SENDER
    )
    texts = ["我家老人想申请入住养老院", "低保金这个月没有到账", "公益性公墓的收费标准是多少"]
    out = []
    for i in range(n):
        query, body = f.build_request(f.text_xml(texts[i % 3] + f"（{i}）", msg_id=first_id + i),
                                      nonce=f"{first_id + i}")  # fmt: skip
        head = (f"POST /wechat/{ACCOUNT}?{urlencode(query)} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n")  # fmt: skip
        out.append(head.encode() + body)
    return out


async def _exchange(
    port: int, conn: list[asyncio.StreamReader | asyncio.StreamWriter | None], req: bytes
) -> int:
    """Send one request on the kept-alive connection (opening one if needed); the status."""
    for attempt in range(2):
        if conn[0] is None:
            conn[0], conn[1] = await asyncio.open_connection("127.0.0.1", port)
        reader, writer = conn[0], conn[1]
        assert isinstance(reader, asyncio.StreamReader) and isinstance(writer, asyncio.StreamWriter)
        try:
            writer.write(req)
            head = await reader.readuntil(b"\r\n\r\n")
        except (ConnectionError, asyncio.IncompleteReadError):
            writer.close()
            conn[0] = conn[1] = None
            if attempt:
                raise
            continue
        lines = head.decode("latin-1").lower().split("\r\n")
        length = next((int(x.split(":")[1]) for x in lines if x.startswith("content-length:")), 0)
        await reader.readexactly(length)
        if any(x.startswith("connection:") and "close" in x for x in lines):
            writer.close()
            conn[0] = conn[1] = None
        return int(lines[0].split()[1])
    raise AssertionError("unreachable")


async def load(port: int, reqs: list[bytes], concurrency: int) -> dict[str, float]:
    lat: list[float] = []
    bad = 0
    it = iter(reqs)

    async def worker() -> None:
        nonlocal bad
        conn: list[asyncio.StreamReader | asyncio.StreamWriter | None] = [None, None]
        for req in it:
            t0 = time.perf_counter()
            if await _exchange(port, conn, req) != 200:
                bad += 1
            lat.append(time.perf_counter() - t0)
        if conn[1] is not None:
            assert isinstance(conn[1], asyncio.StreamWriter)
            conn[1].close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    lat.sort()
    return {
        "n": len(lat),
        "errors": bad,
        "rps": len(lat) / wall,
        "p50_ms": statistics.median(lat) * 1000,
        "p99_ms": lat[int(len(lat) * 0.99) - 1] * 1000,
    }


def wait_port(port: int, path: str = "/healthz", timeout: float = 60) -> None:
    import urllib.request

    end = time.time() + timeout
    while time.time() < end:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1)
            return
        except Exception as exc:
            if getattr(exc, "code", None):  # any HTTP answer means it is up
                return
            time.sleep(0.3)
    raise SystemExit(f"server on port {port} did not start")


def start_ours(tmp: Path, port: int, db: str | None, workers: int) -> subprocess.Popen[bytes]:
    text = (ROOT / "settings.toml").read_text(encoding="utf-8")
    text = text.replace("port = 8080", f"port = {port}").replace(
        "127.0.0.1:8080", f"127.0.0.1:{port}"
    )
    text = text.replace('log_level = "INFO"', 'log_level = "WARNING"')
    text = text.replace("sqlite:///var/newmedia.db", f"sqlite:///{tmp}/bench.db")
    (tmp / "settings.toml").write_text(text, encoding="utf-8")
    env = {**os.environ, "NEWMEDIA_SETTINGS": str(tmp / "settings.toml")}
    if db:
        env["NEWMEDIA_DATABASE_URL"] = db
        subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    log = (tmp / "ours.log").open("wb")
    cmd = [sys.executable, "-m", "bot", "serve", "--workers", str(workers)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    wait_port(port)
    if workers > 1:  # every worker up: distinct pids answering /healthz
        wait_workers(port, workers)
    return proc


def wait_workers(port: int, workers: int, timeout: float = 60) -> None:
    import json
    import urllib.request

    seen: set[int] = set()
    end = time.time() + timeout
    while len(seen) < workers and time.time() < end:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            seen.add(int(json.loads(r.read())["worker"]["pid"]))
        time.sleep(0.05)
    if len(seen) < workers:
        raise SystemExit(f"only {len(seen)} of {workers} workers answered")


def start_werobot(port: int) -> subprocess.Popen[bytes]:
    s = load_settings(ROOT / "settings.toml", env={})
    sec, acc = s.secrets[ACCOUNT], s.accounts[ACCOUNT]
    env = {**os.environ, "BENCH_TOKEN": sec.token, "BENCH_AES_KEY": sec.aes_key,
           "BENCH_APP_ID": acc.app_id}  # fmt: skip
    cmd = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
           "--log-level", "warning", "bench.werobot_app:app"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_port(port, "/")
    return proc


@contextlib.contextmanager
def fresh_pg(url: str) -> Iterator[str]:
    """A throwaway database on the server of ``url`` (dropped afterwards)."""
    import asyncpg  # type: ignore[import-untyped]

    plain = url.replace("postgresql+asyncpg://", "postgresql://")
    name = f"newmedia_bench_{os.getpid()}_{int(time.time())}"

    async def admin(sql: str) -> None:
        c = await asyncpg.connect(plain)
        try:
            await c.execute(sql)
        finally:
            await c.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield plain.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def stored(tmp: Path, db: str | None) -> int:
    sql = f"SELECT count(*) FROM citizen_messages WHERE sender='{SENDER}'"
    if db:
        import asyncpg

        async def q() -> int:
            c = await asyncpg.connect(db)
            try:
                return int(await c.fetchval(sql))
            finally:
                await c.close()

        return asyncio.run(q())
    with sqlite3.connect(tmp / "bench.db") as c:
        return int(c.execute(sql).fetchone()[0])


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


def measure(name: str, port: int, args: argparse.Namespace, first: int) -> dict[str, float]:
    warm, reqs = build(port, args.warmup, first), build(port, args.n, first + args.warmup)
    asyncio.run(load(port, warm, args.concurrency))
    return asyncio.run(load(port, reqs, args.concurrency))


def one_run(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    first = int(time.time()) * 100_000
    if args.only != "ours":
        proc = start_werobot(args.werobot_port)
        try:
            results["werobot"] = measure("werobot", args.werobot_port, args, first)
        finally:
            stop(proc)
    if args.only != "werobot":
        with tempfile.TemporaryDirectory() as d, (
            fresh_pg(args.db) if args.db else contextlib.nullcontext(None)
        ) as db:  # fmt: skip
            tmp = Path(d)
            proc = start_ours(tmp, args.ours_port, db, args.workers)
            try:
                results["ours"] = measure("ours", args.ours_port, args, first)
                time.sleep(0.5)
                results["ours"]["stored"] = stored(tmp, db)
            finally:
                stop(proc)
            expected = args.n + args.warmup
            if results["ours"]["stored"] != expected:
                raise SystemExit(f"stored {results['ours']['stored']:.0f} != sent {expected}")
    return results


def line(name: str, r: dict[str, float]) -> str:
    return (f"{name:26} {r['rps']:7.0f} req/s  p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms"
            f"  errors {r['errors']:.0f}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--db", help="PostgreSQL admin URL; each run uses a fresh database on it")
    ap.add_argument("--workers", type=int, default=1, help="newmedia serve --workers")
    ap.add_argument("--ours-port", type=int, default=18181)
    ap.add_argument("--werobot-port", type=int, default=18182)
    ap.add_argument("--only", choices=["ours", "werobot"], help="run one side (diagnostics)")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"db={'postgresql' if args.db else 'sqlite'}, concurrency {args.concurrency}, "
          f"ours with --workers {args.workers}")  # fmt: skip
    runs: list[dict[str, dict[str, float]]] = []
    for i in range(args.runs):
        with open(LOCK, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # never two benchmarks at once on this machine
            print(f"run {i + 1}: load average before {os.getloadavg()[0]:.2f}", flush=True)
            result = one_run(args)
        runs.append(result)
        for name, r in result.items():
            extra = f"  stored {r['stored']:.0f}/{args.n + args.warmup}" if "stored" in r else ""
            print("  " + line(name, r) + extra, flush=True)
        if len(result) == 2:
            print(f"  ratio {result['ours']['rps'] / result['werobot']['rps']:.2f}x", flush=True)
    print(f"median of {len(runs)} runs:")
    med: dict[str, dict[str, float]] = {}
    for name in runs[0]:
        med[name] = {k: statistics.median(r[name][k] for r in runs) for k in runs[0][name]}
        print("  " + line(name, med[name]))
    if len(med) == 2:
        ratios = [r["ours"]["rps"] / r["werobot"]["rps"] for r in runs]
        print(f"  ratio of medians {med['ours']['rps'] / med['werobot']['rps']:.2f}x "
              f"(per run: {', '.join(f'{x:.2f}' for x in ratios)})")  # fmt: skip


if __name__ == "__main__":
    main()
