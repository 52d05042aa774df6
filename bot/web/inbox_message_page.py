"""The console's message page, drawn for its GET and again for a form that came back — a
refused answer, transfer or close, a 口径 search or insertion — with what was typed kept and the
reason beside the form. Not a route module: both inbox route modules draw it from here.

Need-to-know first: ``review.read_scope.message`` answers a message of another department as a
missing one (404). The forms show only to those the domain lets act
(``review.replies.require_replier``); anyone else reads why.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.inbox import comments
from bot.inbox import service as inbox_service
from bot.web.api_common import path_id, services
from bot.web.auth import csrf_token, flash
from review import read_scope, replies
from review.answer_routes import ROUTE_LABELS
from review.errors import Forbidden
from review.models import Person
from review.states import MessageStatus
from review.store import inbox_listing
from review.timefmt import fmt

M = MessageStatus
#: states a transfer or a close is offered in (the domain refuses the rest in words)
TRANSFERABLE = (M.NEW, M.ASSIGNED, M.OVERDUE)
CLOSABLE = (M.NEW, M.ASSIGNED, M.OVERDUE, M.ANSWERED)


async def visible(request: web.Request, person: Person) -> int:
    """The path's message id, if ``person`` may read that message; else 404 as if missing."""
    message_id = path_id(request)
    async with services(request).sessions() as session:
        await read_scope.message(session, person, message_id)
    return message_id


async def render(
    request: web.Request, person: Person, message_id: int, **extra: Any
) -> web.Response:
    """The page; ``extra``: the kept form values and refusals (``error``, ``form_text``,
    ``form_route``, ``transfer_*``, ``close_*``, the picker's ``kouj_*``)."""
    svc = services(request)
    async with svc.sessions() as session:
        row = await read_scope.message(session, person, message_id)
        departments = await inbox_listing.departments(session)
    try:
        replies.require_replier(person, row)
        refusal = None
    except Forbidden as exc:
        refusal = exc.message
    now = svc.clock()
    msg = await inbox_service.show(svc, message_id, person.key)
    ctx = {
        "me": person, "csrf": await csrf_token(request), "fmt": fmt, "flash": flash(request),
        "m": msg, "route_labels": ROUTE_LABELS,
        "comment": await comments.console_state(svc, message_id),
        "department": next((d.name for d in departments if d.id == row.department_id), "未分派"),
        "transfer_to_choices": [d for d in departments if d.id != row.department_id],
        "overdue": row.status == M.OVERDUE
        or (row.status in TRANSFERABLE and row.deadline_at is not None and row.deadline_at <= now),
        "refusal": refusal,
        "may_transfer": refusal is None and row.status in TRANSFERABLE,
        "may_close": refusal is None and row.status in CLOSABLE,
        **extra,
    }  # fmt: skip
    return aiohttp_jinja2.render_template("console_message.html", request, ctx)
