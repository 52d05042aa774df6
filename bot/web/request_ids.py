"""``X-Request-Id``: every request gets one, every log line while it is served carries it.

A well-formed id from the client or the proxy in front (nginx ``$request_id``) is kept, so one
id follows a request across hops; anything else is replaced. New ids are a per-process random
prefix and a counter: unique across replicas and restarts, and cheap on the callback's fast path
(no uuid formatting). The id goes into ``bot.logs.REQUEST_ID`` for the request's task (and the
tasks it spawns, which copy the context) and back to the client in the response header.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.logs import REQUEST_ID

HEADER = "X-Request-Id"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,64}").fullmatch
_PREFIX = os.urandom(4).hex()
_NEXT = itertools.count(1).__next__


def new_id() -> str:
    return f"{_PREFIX}-{_NEXT():x}"


def request_id(given: str | None) -> str:
    """The client's id when it is short and plain ([A-Za-z0-9._-], ≤ 64), else a new one."""
    return given if given is not None and _WELL_FORMED(given) else new_id()


@web.middleware
async def middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    rid = request_id(request.headers.get(HEADER))
    token = REQUEST_ID.set(rid)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers[HEADER] = rid
        raise
    finally:
        REQUEST_ID.reset(token)
    if not response.prepared:  # a streamed response has sent its headers already
        response.headers[HEADER] = rid
    return response
