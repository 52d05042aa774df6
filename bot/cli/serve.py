"""``newmedia serve``: the service, its ticks and (in demo mode) the sandbox platforms."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from aiohttp import web

from bot.cli.common import settings_from
from bot.logs import setup_logging

log = logging.getLogger("newmedia.serve")
SHUTDOWN_TIMEOUT = 8.0


async def _serve(args: argparse.Namespace) -> int:
    from bot.app import create_app
    from bot.migrate import SchemaOutdated

    settings = settings_from(args)
    setup_logging(settings.file.service.log_level)
    host = args.host or settings.file.service.host
    port = args.port or settings.file.service.port
    # handlers first: a signal during start-up still means a clean stop, never a hard kill
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    app = create_app(settings)
    runner = web.AppRunner(app, shutdown_timeout=SHUTDOWN_TIMEOUT, access_log=None)
    try:
        await runner.setup()
    except SchemaOutdated as exc:
        print(f"错误：{exc}")
        return 2
    site = web.TCPSite(runner, host, port)
    await site.start()
    mode = "demo (sandbox platforms)" if settings.demo else "production"
    log.info("newmedia serving on http://%s:%s (%s)", host, port, mode)
    print(f"newmedia 已启动：http://{host}:{port}/  （{mode}；Ctrl+C 停止）", flush=True)
    await stop.wait()
    log.info("stopping: finishing accepted work")
    try:
        await asyncio.wait_for(runner.cleanup(), timeout=SHUTDOWN_TIMEOUT + 1)
    except TimeoutError:
        log.warning("shutdown took too long; exiting anyway")
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_serve(args))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="start the service (web, callbacks, scheduler, sandbox)")
    p.add_argument("--host", help="bind address (default from settings)")
    p.add_argument("--port", type=int, help="port (default from settings)")
    p.set_defaults(handler=run)
