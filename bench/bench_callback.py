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
        [--replicas 2] [--via-nginx]

``--replicas N`` starts N ``newmedia serve`` processes on consecutive ports on the same database
(the load generator's connections are spread over them, or nginx spreads them with
``--via-nginx``: an nginx subprocess with a temporary config, keep-alive to the replicas). Each
run also reports the CPU time per request of our processes (net of their idle ticks, sampled
before the warm-up) and of the PostgreSQL backends serving the run's database, from ``/proc``
(steadier than throughput on a shared machine), and PostgreSQL's messages per commit.
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


async def load(ports: list[int], reqs: list[bytes], concurrency: int) -> dict[str, float]:
    """``concurrency`` connections, spread round-robin over ``ports``."""
    lat: list[float] = []
    bad = 0
    it = iter(reqs)

    async def worker(port: int) -> None:
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
    await asyncio.gather(*(worker(ports[i % len(ports)]) for i in range(concurrency)))
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


def start_ours(
    tmp: Path, port: int, db: str | None, workers: int, replica: int = 0
) -> subprocess.Popen[bytes]:
    """Replica 0 writes the settings (and upgrades PostgreSQL); replica ``i`` serves on
    ``port + i`` with the same settings and database."""
    env = {**os.environ, "NEWMEDIA_SETTINGS": str(tmp / "settings.toml")}
    if db:
        env["NEWMEDIA_DATABASE_URL"] = db
    if replica == 0:
        text = (ROOT / "settings.toml").read_text(encoding="utf-8")
        text = text.replace("port = 8080", f"port = {port}").replace(
            "127.0.0.1:8080", f"127.0.0.1:{port}"
        )
        text = text.replace('log_level = "INFO"', 'log_level = "WARNING"')
        text = text.replace("sqlite:///var/newmedia.db", f"sqlite:///{tmp}/bench.db")
        (tmp / "settings.toml").write_text(text, encoding="utf-8")
        if db:
            subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], cwd=ROOT, env=env,
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    log = (tmp / f"ours{replica}.log").open("wb")
    cmd = [sys.executable, "-m", "bot", "serve", "--workers", str(workers),
           "--port", str(port + replica)]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    wait_port(port + replica)
    if workers > 1:  # every worker up: distinct pids answering /healthz
        wait_workers(port + replica, workers)
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


NGINX_CONF = """worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream newmedia {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        keepalive_requests 100000;
        location / {{
            proxy_pass http://newmedia;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}
    }}
}}
"""


def start_nginx(tmp: Path, port: int, upstreams: list[int]) -> subprocess.Popen[bytes]:
    """Debian's nginx in the foreground with a throw-away config: one worker (the machine has
    two cores), keep-alive connections to the replicas."""
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstreams)
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, servers=servers, port=port), encoding="utf-8")
    cmd = ["nginx", "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    return proc


#: seconds of idle CPU sampled before the warm-up (the ticks' share, taken off per request)
IDLE_S = 3.0


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid`` (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree(pids: list[int]) -> list[int]:
    """``pids`` and their children (``--workers`` secondaries)."""
    out = list(pids)
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) in pids:
                    out.append(int(d.name))
    return out


def pg_backends(db: str) -> tuple[list[int], int]:
    """The server pids of the connections to the run's database, and its commits so far."""
    import asyncpg

    async def q() -> tuple[list[int], int]:
        c = await asyncpg.connect(db)
        try:
            name = db.rsplit("/", 1)[1]
            rows = await c.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            await c.execute("SELECT pg_stat_clear_snapshot()")
            commits = await c.fetchval(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = $1", name
            )
            return [int(r[0]) for r in rows], int(commits)
        finally:
            await c.close()

    return asyncio.run(q())


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


def measure(
    ports: list[int],
    args: argparse.Namespace,
    first: int,
    cpu_of: list[int] | None = None,
    db: str | None = None,
) -> dict[str, float]:
    """Warm up, then the counted load; with ``cpu_of``, the CPU µs per request of those
    processes (and their children) and of the PostgreSQL backends of ``db``, net of what they
    spend idle (their ticks: measured for ``IDLE_S`` before the warm-up, as a share of a core)."""
    warm, reqs = build(ports[0], args.warmup, first), build(ports[0], args.n, first + args.warmup)
    ours = _tree(cpu_of) if cpu_of else []
    idle = 0.0
    if ours:
        t0, c0 = time.perf_counter(), sum(map(_cpu_s, ours))
        time.sleep(IDLE_S)
        idle = (sum(map(_cpu_s, ours)) - c0) / (time.perf_counter() - t0)
    asyncio.run(load(ports, warm, args.concurrency))
    ours = _tree(cpu_of) if cpu_of else []
    backends, commits = pg_backends(db) if db else ([], 0)
    before = [_cpu_s(p) for p in ours], [_cpu_s(p) for p in backends]
    t0 = time.perf_counter()
    result = asyncio.run(load(ports, reqs, args.concurrency))
    wall = time.perf_counter() - t0
    if ours:
        used = sum(map(_cpu_s, ours)) - sum(before[0])
        result["cpu_us"] = max(0.0, used - idle * wall) / result["n"] * 1e6
        result["idle_pct"] = idle * 100
    if backends:
        result["pg_cpu_us"] = (sum(map(_cpu_s, backends)) - sum(before[1])) / result["n"] * 1e6
    if db:  # PostgreSQL flushes its counters within a second: wait for them
        time.sleep(1.2)
        result["per_commit"] = result["n"] / max(1, pg_backends(db)[1] - commits)
    return result


def one_run(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    first = int(time.time()) * 100_000
    if args.only != "ours":
        proc = start_werobot(args.werobot_port)
        try:
            results["werobot"] = measure([args.werobot_port], args, first, [proc.pid])
        finally:
            stop(proc)
    if args.only != "werobot":
        with tempfile.TemporaryDirectory() as d, (
            fresh_pg(args.db) if args.db else contextlib.nullcontext(None)
        ) as db:  # fmt: skip
            tmp = Path(d)
            procs: list[subprocess.Popen[bytes]] = []
            try:
                for i in range(args.replicas):
                    procs.append(start_ours(tmp, args.ours_port, db, args.workers, i))
                ports = [args.ours_port + i for i in range(args.replicas)]
                if args.via_nginx:
                    procs.append(start_nginx(tmp, args.nginx_port, ports))
                    ports = [args.nginx_port]
                pids = [p.pid for p in procs[: args.replicas]]
                results["ours"] = measure(ports, args, first, pids, db)
                time.sleep(0.5)
                results["ours"]["stored"] = stored(tmp, db)
            finally:
                for proc in reversed(procs):
                    stop(proc)
            expected = args.n + args.warmup
            if results["ours"]["stored"] != expected:
                raise SystemExit(f"stored {results['ours']['stored']:.0f} != sent {expected}")
    return results


def line(name: str, r: dict[str, float]) -> str:
    cpu = f"  cpu {r['cpu_us']:5.0f} us/req (idle {r['idle_pct']:.0f}%)" if "cpu_us" in r else ""
    if "pg_cpu_us" in r:
        cpu += f" + postgres {r['pg_cpu_us']:4.0f}"
    if "per_commit" in r:
        cpu += f"  {r['per_commit']:4.1f} msg/commit"
    return (f"{name:26} {r['rps']:7.0f} req/s  p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms"
            f"  errors {r['errors']:.0f}{cpu}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--db", help="PostgreSQL admin URL; each run uses a fresh database on it")
    ap.add_argument("--workers", type=int, default=1, help="newmedia serve --workers")
    ap.add_argument("--replicas", type=int, default=1, help="newmedia serve processes, one DB")
    ap.add_argument("--via-nginx", action="store_true", help="nginx in front of the replicas")
    ap.add_argument("--nginx-port", type=int, default=18180)
    ap.add_argument("--ours-port", type=int, default=18181)
    ap.add_argument("--werobot-port", type=int, default=18179)
    ap.add_argument("--only", choices=["ours", "werobot"], help="run one side (diagnostics)")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"db={'postgresql' if args.db else 'sqlite'}, concurrency {args.concurrency}, "
          f"ours with --workers {args.workers}, {args.replicas} replica(s)"
          f"{' behind nginx' if args.via_nginx else ''}")  # fmt: skip
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
