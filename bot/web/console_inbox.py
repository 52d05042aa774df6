"""Console pages for citizens' messages: the same service functions the chat and CLI use."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.inbox import answering, comments
from bot.inbox import service as inbox_service
from bot.web.api_common import path_id, services
from bot.web.auth import console_action, csrf_token, flash, notice
from bot.wordings.picker import picker
from review.answer_routes import ROUTE_LABELS
from review.errors import DomainError
from review.models import Person
from review.timefmt import fmt


@console_action
async def inbox(request: web.Request, person: Person) -> web.StreamResponse:
    state = request.query.get("state") or None
    rows = await inbox_service.list_for(services(request), person.key, state)
    ctx = {"me": person, "csrf": await csrf_token(request), "rows": rows, "fmt": fmt,
           "flash": flash(request), "state": state}  # fmt: skip
    return aiohttp_jinja2.render_template("console_inbox.html", request, ctx)


async def _message_page(request: web.Request, person: Person, **extra: Any) -> web.Response:
    msg = await inbox_service.show(services(request), path_id(request), person.key)
    ctx = {"me": person, "csrf": await csrf_token(request), "m": msg, "fmt": fmt,
           "flash": flash(request),
           "comment": await comments.console_state(services(request), msg["id"]),
           "route_labels": ROUTE_LABELS, **extra}  # fmt: skip
    return aiohttp_jinja2.render_template("console_message.html", request, ctx)


@console_action
async def message(request: web.Request, person: Person) -> web.StreamResponse:
    return await _message_page(request, person, **await picker(services(request), request.query))


@console_action
async def reply(request: web.Request, person: Person) -> web.StreamResponse:
    """The answer form: its route (客服消息, 公开答复, 电话答复) chosen with a radio button."""
    message_id = path_id(request)
    form = await request.post()
    text, route = str(form.get("text", "")).strip(), str(form.get("route") or "cs")
    try:
        result = await answering.answer(services(request), message_id, person.key, text, route)
    except DomainError as exc:  # refused: the page again, the text and route kept, the reason
        return await _message_page(
            request, person, error=exc.message, form_text=text, form_route=route
        )
    async with services(request).sessions.begin() as session:
        await notice(session, request, result)
    raise web.HTTPSeeOther(f"/console/inbox/{message_id}")


@console_action
async def moderate(request: web.Request, person: Person) -> web.StreamResponse:
    """精选 / 取消精选 / 删除 (with its reason) a WeChat article comment."""
    message_id = path_id(request)
    form = await request.post()
    action, reason = str(form.get("action", "")), str(form.get("reason", ""))
    result: str
    try:
        result = await comments.moderate(services(request), message_id, person.key, action, reason)
    except DomainError as exc:
        result = exc.message
    async with services(request).sessions.begin() as session:
        await notice(session, request, result)
    raise web.HTTPSeeOther(f"/console/inbox/{message_id}")


def setup(app: web.Application) -> None:
    app.router.add_get("/console/inbox", inbox)
    app.router.add_get("/console/inbox/{id:\\d+}", message)
    app.router.add_post("/console/inbox/{id:\\d+}/reply", reply)
    app.router.add_post("/console/inbox/{id:\\d+}/comment", moderate)
