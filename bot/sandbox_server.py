"""The sandbox platforms as their own process: ``python -m bot.sandbox_server --settings S``.

Used by the multi-process reliability tests and the drain benchmark. Prints ``LISTENING <url>``
once it accepts connections (``--ports N``: N URLs on one line, one per replica under test, so
a call's Host says which replica made it). A small control API lets a test script faults and
read what the platforms received: ``GET /_control/published`` (idempotency key → times
published), ``GET /_control/requests`` (calls per endpoint; ``?endpoint=E``: E's calls per
account and Host) and ``POST /_control/fail`` (``{"endpoint", "n", "status"|"errcode"|
"delay"}``); ``Probe`` adds what arrived per post and held answers (``/_control/sent``,
``hold``, ``held``, ``release``).
With ``--state PATH`` the platforms keep their state in that SQLite file across restarts
(default: memory).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import re
import signal
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import parse_qs

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.config.load import load_settings
from bot.platforms.registry import sandbox_config
from bot.sandbox.wiring import sandbox_api_app
from channels.sandbox.app import Sandbox, create_sandbox
from channels.sandbox.platform import endpoint_of

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

    async def requests(request: web.Request) -> web.Response:
        endpoint = request.query.get("endpoint")
        if endpoint is None:
            return web.json_response(Counter(r.endpoint for r in sandbox.recorder))
        by: dict[str, Counter[str]] = {}
        for r in sandbox.recorder.find(endpoint=endpoint):
            by.setdefault(str(r.account), Counter())[r.host] += 1
        return web.json_response(by)

    return [
        web.get("/_control/published", get_published),
        web.post("/_control/fail", fail),
        web.get("/_control/requests", requests),
    ]


#: the calls that put a post in public: what "the platform received it" means for a key
SENDS = ("2/statuses/share.json", "cgi-bin/freepublish/submit", "cgi-bin/message/mass/sendall")


class Probe:
    """For the fault suite: which posts' publishing calls arrived (counted on arrival, before
    any scripted fault answers: ``GET /_control/sent``), and holds — the platform does the work
    but keeps the answer until ``POST /_control/release`` (``POST /_control/hold`` with
    ``{"endpoint", "n"}``; ``GET /_control/held`` lists the held posts' keys). A held call is
    certainly in flight, or certainly timed out on the client, with no clock in the test."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.sent: Counter[str] = Counter()
        self.holds: Counter[str] = Counter()
        self.held: list[str] = []
        self.gate = asyncio.Event()

    def keys_of(self, endpoint: str, body: bytes) -> list[str]:
        if endpoint.startswith("2/"):
            text = parse_qs(body.decode(errors="replace")).get("status", [""])[0]
            return WEIBO_MARK.findall(text)
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return []
        media_id = str(data.get("media_id") or data.get("mpnews", {}).get("media_id") or "")
        drafts = [s.drafts.get(media_id, []) for s in self.sandbox.wechat.accounts.values()]
        articles = [a for d in drafts for a in d] + list(data.get("articles") or [])
        return [k for a in articles for k in WECHAT_MARK.findall(str(a.get("content", "")))]

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        endpoint = endpoint_of(request.path)
        watched = request.method == "POST" and (endpoint in SENDS or endpoint in self.holds)
        keys = self.keys_of(endpoint, await request.read()) if watched else []
        if endpoint in SENDS:
            self.sent.update(keys)
        response = await handler(request)
        if self.holds[endpoint] > 0 and response.status == 200:
            self.holds[endpoint] -= 1
            self.held.extend(keys or [endpoint])
            await self.gate.wait()  # the work is done; the answer waits for the test
        return response

    def release(self) -> None:
        self.gate.set()  # the held answers go (to a client that may be long gone)
        self.gate = asyncio.Event()
        self.held.clear()

    def routes(self) -> list[web.RouteDef]:
        async def sent(_request: web.Request) -> web.Response:
            return web.json_response(dict(self.sent))

        async def hold(request: web.Request) -> web.Response:
            body = await request.json()
            self.holds[str(body["endpoint"]).lstrip("/")] += int(body.get("n", 1))
            return web.json_response({"ok": True})

        async def held(_request: web.Request) -> web.Response:
            return web.json_response(list(self.held))

        async def release(_request: web.Request) -> web.Response:
            self.release()
            return web.json_response({"ok": True})

        return [
            web.get("/_control/sent", sent),
            web.post("/_control/hold", hold),
            web.get("/_control/held", held),
            web.post("/_control/release", release),
        ]


async def serve(args: argparse.Namespace) -> None:
    settings = load_settings(args.settings)
    config = sandbox_config(settings)
    if args.latency_ms is not None:
        config = replace(config, latency=args.latency_ms / 1000.0)
    if args.publish_delay is not None:
        config = replace(config, publish_delay=args.publish_delay)
    sandbox = create_sandbox(config, state=args.state)
    app = sandbox_api_app(sandbox)
    app.add_routes(control_routes(sandbox))
    probe = Probe(sandbox)
    app.middlewares.append(probe.middleware)
    app.add_routes(probe.routes())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for i in range(max(1, args.ports)):
        await web.TCPSite(runner, "127.0.0.1", args.port if i == 0 else 0).start()
    urls = " ".join(f"http://127.0.0.1:{address[1]}" for address in runner.addresses)
    print(f"LISTENING {urls}", flush=True)
    # start-up objects live as long as the process: out of the collector's sight, as in serve
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    probe.release()  # held answers would keep the cleanup waiting
    await runner.cleanup()
    sandbox.close()


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bot.sandbox_server")
    p.add_argument("--settings", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--ports", type=int, default=1, help="listen on N ports (the first: --port)")
    p.add_argument("--latency-ms", type=float)
    p.add_argument("--publish-delay", type=float)
    p.add_argument("--state", help="SQLite file that keeps the platforms' state (default: memory)")
    asyncio.run(serve(p.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
