"""Console pages for citizens' messages: the same service functions the chat and CLI use."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.inbox import service as inbox_service
from bot.web.api_common import path_id, services
from bot.web.auth import console_action, csrf_token, flash, notice
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


@console_action
async def message(request: web.Request, person: Person) -> web.StreamResponse:
    msg = await inbox_service.show(services(request), path_id(request), person.key)
    ctx = {"me": person, "csrf": await csrf_token(request), "m": msg, "fmt": fmt,
           "flash": flash(request)}  # fmt: skip
    return aiohttp_jinja2.render_template("console_message.html", request, ctx)


@console_action
async def reply(request: web.Request, person: Person) -> web.StreamResponse:
    message_id = path_id(request)
    text = str((await request.post()).get("text", "")).strip()
    try:
        result = await inbox_service.send_answer(services(request), message_id, person.key, text)
    except DomainError as exc:
        result = exc.message
    async with services(request).sessions.begin() as session:
        await notice(session, request, result)
    raise web.HTTPSeeOther(f"/console/inbox/{message_id}")


def setup(app: web.Application) -> None:
    app.router.add_get("/console/inbox", inbox)
    app.router.add_get("/console/inbox/{id:\\d+}", message)
    app.router.add_post("/console/inbox/{id:\\d+}/reply", reply)
