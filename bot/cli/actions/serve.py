"""``newmedia serve``: the service, its ticks and (in demo mode) the sandbox platforms.

``--workers N`` runs N serving processes on the port (:mod:`bot.workers`): this one is the
primary, it starts the others and stops them when it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import socket
from urllib.parse import urlsplit

from aiohttp import web

from bot.app import create_app
from bot.cli.actions.runner import CliError
from bot.config.load import load_settings
from bot.logs import setup_logging
from bot.migrate import SchemaOutdated
from bot.sandbox.wiring import api_url
from bot.server import loop_factory, runner_options
from bot.shutdown import SHUTDOWN
from bot.workers import Secondaries, Worker, secondary_argv, watch_primary
from review.db import is_memory_sqlite

log = logging.getLogger("newmedia.serve")


def _port_taken(host: str, port: int) -> bool:
    """Another process already listens there. Workers share the port with SO_REUSEPORT, which
    would also let a second ``newmedia serve`` join silently: a plain bind finds out first."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no owner
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def public_url_mismatch(public_url: str, port: int) -> str | None:
    """The console's sign-in, its links and the CLI's ``chat``/``sandbox follower`` go to
    ``[service] public_url``: serving on another port of this machine sends them nowhere."""
    found = urlsplit(public_url)
    if found.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None  # behind a proxy: the public address is the proxy's, not ours
    expected = found.port or (443 if found.scheme == "https" else 80)
    if expected == port:
        return None
    return (
        f"注意：settings.toml 的 [service] public_url 是 {public_url}，而本服务监听 {port} 端口："
        "控制台登录和 newmedia chat、sandbox follower 会去找前者。请把 public_url 改为 "
        f"http://{found.hostname}:{port}，或不加 --port 运行。"
    )


def _worker(args: argparse.Namespace, configured: int, database_url: str) -> Worker:
    if args.secondary_of:
        return Worker("secondary", args.workers or 2, args.sandbox_api)
    count = args.workers or configured
    if count < 1 or count > 32:
        raise CliError("--workers 须在 1 到 32 之间")
    if count > 1 and is_memory_sqlite(database_url):
        raise CliError(
            "内存数据库无法在多个进程间共享：--workers 大于 1 时请使用数据库文件或 PostgreSQL"
        )
    return Worker("primary" if count > 1 else "single", count)


def run(args: argparse.Namespace) -> int:
    """``newmedia serve`` on the serving process's event loop (bot/server.py ``loop_factory``)."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(serve(args))


async def serve(args: argparse.Namespace) -> int:
    # the service also reads the files it relies on (the 办事指南 answers): problems at start-up
    settings = load_settings(getattr(args, "settings", None), for_service=True)
    setup_logging(settings.file.service.log_level)
    host = args.host or settings.file.service.host
    port = args.port or settings.file.service.port
    worker = _worker(args, settings.file.service.workers, settings.database_url)
    # before anything starts: a second serve must not run its ticks on the shared database
    if worker.role != "secondary" and _port_taken(host, port):
        print(f"错误：{host}:{port} 已被占用（是否已有 newmedia serve 在运行？）")
        return 2
    # handlers first: a signal during start-up still means a clean stop, never a hard kill
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    app = create_app(settings, worker=worker)
    runner = web.AppRunner(
        app, shutdown_timeout=SHUTDOWN.requests, access_log=None, **runner_options(settings)
    )
    try:
        await runner.setup()
    except Exception as exc:
        # what started before the failure (the HTTP session …) is closed, not leaked
        await app.cleanup()
        if isinstance(exc, SchemaOutdated):
            print(f"错误：{exc}")
            return 2
        raise  # the runner words an unreachable database; anything else is a bug report
    site = web.TCPSite(runner, host, port, reuse_port=worker.role != "single")
    try:
        await site.start()
    except OSError as exc:  # taken between the probe and the bind, or not ours to bind
        await runner.cleanup()
        print(f"错误：无法在 {host}:{port} 上监听（{exc.strerror or exc}）")
        return 2
    children: Secondaries | None = None
    watcher: asyncio.Task[None] | None = None
    if worker.role == "primary":
        argv = secondary_argv(
            getattr(args, "settings", None), host, port, worker.count, api_url(app)
        )
        children = Secondaries(argv, worker.count - 1)
        children.start()
    elif worker.role == "secondary":
        watcher = loop.create_task(watch_primary(args.secondary_of, stop))
    mode = "demo (sandbox platforms)" if settings.demo else "production"
    log.info("newmedia %s serving on http://%s:%s (%s)", worker.role, host, port, mode)
    if worker.role != "secondary":
        extra = f"；{worker.count} 个进程" if worker.count > 1 else ""
        print(f"newmedia 已启动：http://{host}:{port}/  （{mode}{extra}；Ctrl+C 停止）", flush=True)
        elsewhere = public_url_mismatch(settings.file.service.public_url, port)
        if elsewhere:
            print(elsewhere, flush=True)
            log.warning("public_url names another port than the one served")
    await stop.wait()
    log.info("stopping: finishing accepted work")
    if watcher is not None:
        watcher.cancel()
    # every part of the stop nests in SHUTDOWN.limit (bot/shutdown.py)
    stopping = [asyncio.wait_for(runner.cleanup(), timeout=SHUTDOWN.deadline)]
    if children is not None:
        # each secondary has the same deadline for its own clean-up; killed after that
        stopping.append(children.stop(SHUTDOWN.secondaries))
    for result in await asyncio.gather(*stopping, return_exceptions=True):
        if isinstance(result, TimeoutError):
            log.warning("shutdown took too long; exiting anyway")
        elif isinstance(result, BaseException):
            raise result
    return 0
