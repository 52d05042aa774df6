"""The HTTP server's defences against slow and vanishing clients.

aiohttp has no timeout of its own for reading request headers or bodies, so 200 clients that
trickle bytes would hold 200 connections for as long as they like. Two mechanisms, both bound
by ``[service] read_timeout_s``:

- headers: aiohttp's ``keepalive_timeout`` is armed when a connection opens and whenever it
  goes idle, and closes a connection that has not delivered a complete request head by then —
  so it is set to the read timeout (``runner_options``);
- bodies: ``read_guard`` arms a watchdog for a request whose body is still arriving when its
  handler starts and closes the connection if the body is not complete in time, whichever way
  the route reads it (``read()``, ``json()``, ``post()``).

A client that disconnects in the middle of its body (an aborted upload) makes the route's read
raise ``ConnectionResetError``; ``read_guard`` turns that into one warning line — no traceback,
no body, no query string — instead of an ERROR with a stack trace per attempt. A request the
HTTP parser refuses (a garbage request line, a 9 KB header, a negative Content-Length) is answered
400 by aiohttp before any route or signal runs; ``ParserLog`` makes it one warning line too, and
``hide_version`` keeps aiohttp's version out of that answer's ``Server`` header.

The serving process runs on uvloop (``loop_factory``): the callback and the publishing drain
spend most of their CPU in the event loop and its transports, which uvloop does in C.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web, web_response
from aiohttp.http_exceptions import HttpProcessingError

from bot import keys
from bot.config.load import Settings

log = logging.getLogger("newmedia.server")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ParserLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """aiohttp's server logger, with a malformed request (anyone on the internet can send one)
    as one warning line — the kind of error and the peer — instead of an ERROR with a traceback.
    Anything else (a real bug) is still logged with its traceback."""

    def exception(self, msg: object, *args: object, exc_info: Any = True, **kw: Any) -> None:
        if isinstance(exc_info, HttpProcessingError):
            peer = args[0] if args else "?"
            self.warning("malformed request from %s refused (%s)", peer, type(exc_info).__name__)
            return
        super().exception(msg, *args, exc_info=exc_info, **kw)


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop ``newmedia serve`` runs on: uvloop where it is installed (every platform
    but Windows), else asyncio's own (None)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        return None
    return uvloop.new_event_loop


def hide_version() -> None:
    """aiohttp answers a request its parser refuses with ``Server: Python/… aiohttp/…`` before any
    signal runs (``bot.web.headers`` covers every other response); its default name is a module
    global read at send time, so it is replaced once, process-wide."""
    web_response.SERVER_SOFTWARE = "newmedia"  # type: ignore[attr-defined]


def runner_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``web.AppRunner``: the header timeout (see the module docstring) and
    the parser-error log."""
    return {
        "keepalive_timeout": settings.file.service.read_timeout_s,
        "logger": ParserLog(logging.getLogger("aiohttp.server"), {}),
    }


def _close_slow(request: web.Request, timeout_s: float, flag: list[bool]) -> None:
    if request.content.is_eof():
        return  # the body is in; the handler is merely slow
    flag.append(True)
    log.warning(
        "request body not received within %.1f s on %s %s: connection closed",
        timeout_s, request.method, request.path,
    )  # fmt: skip
    if request.transport is not None:
        request.transport.close()


@web.middleware
async def read_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Close the connection of a body that arrives too slowly; log an aborted upload once."""
    timeout_s = request.app[keys.SETTINGS].file.service.read_timeout_s
    timed_out: list[bool] = []
    watchdog: asyncio.TimerHandle | None = None
    if not request.content.is_eof():
        loop = asyncio.get_running_loop()
        watchdog = loop.call_later(timeout_s, _close_slow, request, timeout_s, timed_out)
    try:
        return await handler(request)
    except ConnectionError as exc:
        if not timed_out:
            log.warning(
                "client went away during %s %s (%s)",
                request.method, request.path, type(exc).__name__,
            )  # fmt: skip
        # nobody is left to read it; aiohttp drops it quietly
        return web.Response(status=400, text="连接已中断", content_type="text/plain")
    finally:
        if watchdog is not None:
            watchdog.cancel()
