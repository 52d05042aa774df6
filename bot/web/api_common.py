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
from review.errors import DomainError, ValidationFailed
from review.models import Person
from review.store import directory

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


def bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def current_person(request: web.Request, session: AsyncSession) -> Person:
    """The person behind the request's API token; raises 401 (JSON, Chinese) otherwise."""
    person = await directory.person_by_token(session, bearer(request))
    if person is None:
        raise web.HTTPUnauthorized(
            text=json.dumps(
                {
                    "error": "unauthorized",
                    "message": "API 令牌无效或缺失（Authorization: Bearer …）",
                },
                ensure_ascii=False,
            ),
            content_type="application/json",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return person


async def json_body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(
            text=json.dumps(
                {"error": "unsupported", "message": "请求体必须是 JSON"}, ensure_ascii=False
            ),
            content_type="application/json",
        )
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "bad_json", "message": "JSON 格式错误"}, ensure_ascii=False),
            content_type="application/json",
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps(
                {"error": "bad_json", "message": "JSON 必须是对象"}, ensure_ascii=False
            ),
            content_type="application/json",
        )
    return body


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


def query_limit(request: web.Request, default: int = 100, maximum: int = 500) -> int:
    try:
        value = int(request.query.get("limit", str(default)))
    except ValueError:
        raise ValidationFailed("limit 必须是整数", field="limit") from None
    return max(1, min(value, maximum))
