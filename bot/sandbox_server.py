"""The sandbox platforms as their own process: ``python -m bot.sandbox_server --settings S``.

Used by the multi-process reliability tests and the drain benchmark. Prints ``LISTENING <url>``
once it accepts connections. A small control API lets a test script faults and read what the
platforms received: ``GET /_control/published`` (idempotency key → times published) and
``POST /_control/fail`` (``{"endpoint", "n", "status"|"errcode"|"delay"}``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import re
import signal
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from aiohttp import web

from bot.config.load import load_settings
from bot.platforms.registry import sandbox_config
from bot.sandbox.wiring import sandbox_api_app
from channels.sandbox.app import Sandbox, create_sandbox

WECHAT_MARK = re.compile(r"<!--nm:([^>]+?)-->")
WEIBO_MARK = re.compile(r"[?&]p=([\w%.-]+)")


def published(sandbox: Sandbox) -> Counter[str]:
    """Times each idempotency key reached a follower-visible post (jobs submitted / statuses)."""
    seen: Counter[str] = Counter()
    for state in sandbox.wechat.accounts.values():
        for job in state.jobs.values():
            for article in state.drafts.get(job.media_id, []):
                for key in WECHAT_MARK.findall(str(article.get("content", ""))):
                    seen[key] += 1
    for wstate in sandbox.weibo.accounts.values():
        for status in wstate.statuses:
            for key in WEIBO_MARK.findall(status.text):
                seen[key] += 1
    return seen


def control_routes(sandbox: Sandbox) -> list[web.RouteDef]:
    async def get_published(_request: web.Request) -> web.Response:
        return web.json_response(dict(published(sandbox)))

    async def fail(request: web.Request) -> web.Response:
        body = await request.json()
        sandbox.faults.fail_next(
            str(body["endpoint"]),
            int(body.get("n", 1)),
            errcode=body.get("errcode"),
            status=body.get("status"),
            delay=body.get("delay"),
        )
        return web.json_response({"ok": True})

    async def requests(_request: web.Request) -> web.Response:
        return web.json_response(Counter(r.endpoint for r in sandbox.recorder))

    return [
        web.get("/_control/published", get_published),
        web.post("/_control/fail", fail),
        web.get("/_control/requests", requests),
    ]


async def serve(args: argparse.Namespace) -> None:
    settings = load_settings(args.settings)
    config = sandbox_config(settings)
    if args.latency_ms is not None:
        config = replace(config, latency=args.latency_ms / 1000.0)
    if args.publish_delay is not None:
        config = replace(config, publish_delay=args.publish_delay)
    sandbox = create_sandbox(config)
    app = sandbox_api_app(sandbox)
    app.add_routes(control_routes(sandbox))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", args.port)
    await site.start()
    port = runner.addresses[0][1]
    print(f"LISTENING http://127.0.0.1:{port}", flush=True)
    # start-up objects live as long as the process: out of the collector's sight, as in serve
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bot.sandbox_server")
    p.add_argument("--settings", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--latency-ms", type=float)
    p.add_argument("--publish-delay", type=float)
    asyncio.run(serve(p.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
