"""Citizen callback throughput and latency: our service against WeRoBot, same machine, same run.

Both in AES (safe) mode. Ours is the real ``newmedia serve`` (demo settings, SQLite or
PostgreSQL) committing every message before answering; WeRoBot runs under gunicorn with 2
workers and stores nothing. The load generator is one aiohttp client with ``--concurrency``
connections sending pre-built signed and encrypted requests with distinct MsgIds.

    python bench/bench_callback.py --n 20000 --concurrency 16 [--db postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings_load import load_settings  # noqa: E402
from channels.sandbox.follower import Follower  # noqa: E402

ACCOUNT = "ccmz_wechat"


def build(base: str, n: int, first_id: int) -> list[tuple[dict[str, str], bytes]]:
    s = load_settings(ROOT / "settings.toml", env={})
    sec, acc = s.secrets[ACCOUNT], s.accounts[ACCOUNT]
    f = Follower(base, ACCOUNT, sec.token, sec.aes_key, acc.app_id, "aes", "o_bench_citizen")
    texts = ["我家老人想申请入住养老院", "低保金这个月没有到账", "公益性公墓的收费标准是多少"]
    out = []
    for i in range(n):
        xml = f.text_xml(texts[i % 3] + f"（{i}）", msg_id=first_id + i)
        out.append(f.build_request(xml, nonce=f"{first_id + i}"))
    return out


async def load(
    url: str, reqs: list[tuple[dict[str, str], bytes]], concurrency: int
) -> dict[str, float]:
    lat: list[float] = []
    bad = 0
    it = iter(reqs)
    headers = {"Content-Type": "text/xml"}
    conn = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=conn) as http:

        async def worker() -> None:
            nonlocal bad
            for query, body in it:
                t0 = time.perf_counter()
                async with http.post(url, params=query, data=body, headers=headers) as r:
                    await r.read()
                    if r.status != 200:
                        bad += 1
                lat.append(time.perf_counter() - t0)

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


def wait_port(port: int, path: str = "/healthz", timeout: float = 30) -> None:
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


def start_ours(tmp: Path, port: int, db: str | None) -> subprocess.Popen[bytes]:
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
    cmd = [sys.executable, "-m", "bot", "serve"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(tmp / "ours.log").open("wb")
    )
    wait_port(port)
    return proc


def start_werobot(port: int) -> subprocess.Popen[bytes]:
    s = load_settings(ROOT / "settings.toml", env={})
    sec, acc = s.secrets[ACCOUNT], s.accounts[ACCOUNT]
    env = {
        **os.environ,
        "BENCH_TOKEN": sec.token,
        "BENCH_AES_KEY": sec.aes_key,
        "BENCH_APP_ID": acc.app_id,
    }
    cmd = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
           "bench.werobot_app:app"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_port(port, "/")
    return proc


def stored(tmp: Path, db: str | None) -> int:
    if db:
        import asyncpg  # type: ignore[import-untyped]

        async def q() -> int:
            c = await asyncpg.connect(db.replace("postgresql+asyncpg", "postgresql"))
            try:
                return int(
                    await c.fetchval(
                        "SELECT count(*) FROM citizen_messages WHERE sender='o_bench_citizen'"
                    )
                )
            finally:
                await c.close()

        return asyncio.run(q())
    with sqlite3.connect(tmp / "bench.db") as c:
        return int(
            c.execute(
                "SELECT count(*) FROM citizen_messages WHERE sender='o_bench_citizen'"
            ).fetchone()[0]
        )


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--db", help="PostgreSQL URL for our service (default: a fresh SQLite file)")
    ap.add_argument("--ours-port", type=int, default=18181)
    ap.add_argument("--werobot-port", type=int, default=18182)
    ap.add_argument("--only", choices=["ours", "werobot"], help="run one side (diagnostics)")
    args = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name, port, starter in (
            ("werobot", args.werobot_port, lambda: start_werobot(args.werobot_port)),
            ("ours", args.ours_port, lambda: start_ours(tmp, args.ours_port, args.db)),
        ):
            if args.only and name != args.only:
                continue
            proc = starter()
            try:
                base = f"http://127.0.0.1:{port}"
                first = int(time.time()) * 100_000
                warm = build(base, args.warmup, first)
                reqs = build(base, args.n, first + args.warmup)
                url = f"{base}/wechat/{ACCOUNT}"
                asyncio.run(load(url, warm, args.concurrency))
                results[name] = asyncio.run(load(url, reqs, args.concurrency))
                if name == "ours":
                    time.sleep(1)
                    results[name]["stored"] = stored(tmp, args.db)
            finally:
                stop(proc)
    if args.only:
        print(args.only, results[args.only])
        return
    ours, base = results["ours"], results["werobot"]
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}, db={'postgresql' if args.db else 'sqlite'}")  # fmt: skip
    for name, r in (("werobot (gunicorn -w 2)", base), ("ours", ours)):
        print(f"{name:24} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms"
              f"  errors {r['errors']:.0f}" + (f"  stored {r['stored']:.0f}/{args.n + args.warmup}" if "stored" in r else ""))  # fmt: skip
    print(f"ratio ours/werobot: {ours['rps'] / base['rps']:.2f}x req/s")


if __name__ == "__main__":
    main()
