"""Helpers every ``/api/`` route uses: the shared services, token authentication, JSON bodies,
domain errors. Route modules import only these (and ``auth``), never each other."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keys
from bot.services import Services
from bot.web import api_auth
from review.errors import DomainError, ValidationFailed
from review.models import Person

log = logging.getLogger("newmedia.api")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def services(request: web.Request) -> Services:
    """What every surface shares (sessions, channels, settings views), built once by create_app."""
    return request.app[keys.SERVICES]


def error(status: int, code: str, message: str, field: str | None = None) -> web.Response:
    body: dict[str, Any] = {"error": code, "message": message}
    if field:
        body["field"] = field
    return web.json_response(body, status=status)


async def current_person(request: web.Request, session: AsyncSession) -> Person:
    """The person behind the request's API token; else ``api_auth.TokenRefused`` (401, or 429
    for an address with too many wrong tokens), answered by ``api_auth.middleware``."""
    return await api_auth.person_for(request, session)


#: deeper JSON is refused before anything walks it (a 100,000-deep array once answered 500)
MAX_JSON_DEPTH = 32


def _too_deep(value: Any) -> bool:
    """Nesting beyond ``MAX_JSON_DEPTH``, found without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object — the one way every ``/api/`` route reads a body.

    415 unless ``application/json``; 413 beyond the app's ``client_max_size``; 400 (JSON, in
    Chinese) for bytes that are not UTF-8, malformed JSON, NaN/Infinity, numbers Python refuses
    to convert, nesting deeper than ``MAX_JSON_DEPTH`` and anything but an object."""
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(
            text=json.dumps(
                {"error": "unsupported", "message": "请求体必须是 JSON"}, ensure_ascii=False
            ),
            content_type="application/json",
        )
    try:
        raw = await request.read()  # at most the app's client_max_size, else aiohttp's 413
    except web.HTTPRequestEntityTooLarge:
        raise web.HTTPRequestEntityTooLarge(
            max_size=0,
            text=json.dumps({"error": "too_large", "message": "请求体过大"}, ensure_ascii=False),
            content_type="application/json",
        ) from None
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        raise _bad_json(f"JSON 嵌套层数过多（最多 {MAX_JSON_DEPTH} 层）") from None
    except (ValueError, UnicodeDecodeError):  # JSONDecodeError, NaN, a 5,000-digit number
        raise _bad_json("JSON 格式错误") from None
    if _too_deep(body):
        raise _bad_json(f"JSON 嵌套层数过多（最多 {MAX_JSON_DEPTH} 层）")
    if not isinstance(body, dict):
        raise _bad_json("JSON 必须是对象")
    return body


def _bad_json(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(
        text=json.dumps({"error": "bad_json", "message": message}, ensure_ascii=False),
        content_type="application/json",
    )


def api(
    handler: Callable[[web.Request, AsyncSession, Person], Awaitable[web.StreamResponse]],
) -> Handler:
    """Run ``handler(request, session, person)`` in one transaction; domain errors become JSON."""

    @wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            async with services(request).sessions.begin() as session:
                person = await current_person(request, session)
                return await handler(request, session, person)
        except DomainError as exc:
            return error(exc.http_status, exc.code, exc.message, exc.field)
        except web.HTTPRequestEntityTooLarge:
            return error(413, "too_large", "请求体过大")

    return wrapped


MAX_ID = 2**63 - 1


def path_id(request: web.Request, name: str = "id") -> int:
    """A positive integer id from the path; anything else is a 422, never a database error."""
    try:
        value = int(request.match_info[name])
    except ValueError:
        raise ValidationFailed("编号必须是整数", field=name) from None
    if not 1 <= value <= MAX_ID:
        raise ValidationFailed("编号超出范围", field=name)
    return value


#: the last page number a listing accepts (a larger one would overflow the database's OFFSET)
MAX_PAGE = 100_000


def page_number(text: str) -> int:
    """A listing's ``page`` parameter: 1 when missing or not a page number (decimal digits
    only: ``²`` passes ``isdigit`` but not ``int``), at most ``MAX_PAGE``."""
    if not text.isdecimal():
        return 1
    return max(1, min(int(text), MAX_PAGE))


def query_limit(request: web.Request, default: int = 100, maximum: int = 500) -> int:
    try:
        value = int(request.query.get("limit", str(default)))
    except ValueError:
        raise ValidationFailed("limit 必须是整数", field="limit") from None
    return max(1, min(value, maximum))
