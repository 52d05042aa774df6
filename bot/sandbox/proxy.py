"""``/sandbox/…`` on a secondary worker: forwarded to the primary, where the sandbox lives.

The fake platforms keep their state in the primary's memory (``bot.sandbox.wiring``); a page or
a fake API call that the kernel handed to a secondary is passed on to the primary's loopback
sandbox server unchanged, so every worker shows the same timelines and phones.
"""

from __future__ import annotations

import logging

from aiohttp import ClientError, web

from bot import keys

log = logging.getLogger("newmedia.sandbox.proxy")

SANDBOX_API = web.AppKey("sandbox_api_url", str)
#: headers passed through in each direction (no hop-by-hop headers, no cookies)
_REQUEST_HEADERS = ("Content-Type", "Accept")
_RESPONSE_HEADERS = ("Content-Type", "Location", "Cache-Control")


async def forward(request: web.Request) -> web.StreamResponse:
    base = request.app[SANDBOX_API]
    tail = request.match_info.get("tail", "")
    headers = {h: request.headers[h] for h in _REQUEST_HEADERS if h in request.headers}
    try:
        async with request.config_dict[keys.HTTP].request(
            request.method,
            f"{base}/{tail}",
            params=request.rel_url.query,
            data=await request.read() if request.can_read_body else None,
            headers=headers,
            allow_redirects=False,
        ) as reply:
            body = await reply.read()
            out = {h: reply.headers[h] for h in _RESPONSE_HEADERS if h in reply.headers}
            return web.Response(status=reply.status, body=body, headers=out)
    except (ClientError, TimeoutError) as exc:
        log.warning("sandbox not reachable from this worker: %s", type(exc).__name__)
        return web.Response(
            status=502,
            text="沙箱平台运行在主进程中，暂时无法访问，请稍后重试。",
            content_type="text/plain",
            charset="utf-8",
        )


def proxy_app(base_url: str) -> web.Application:
    sub = web.Application()
    sub[SANDBOX_API] = base_url.rstrip("/")
    sub.router.add_route("*", "/{tail:.*}", forward)
    return sub
