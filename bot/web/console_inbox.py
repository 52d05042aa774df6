"""Console pages for citizens' messages: the inbox list with its filters and pages, and the
message page (its forms post to ``console_inbox_actions``). The same service functions the chat
and CLI use; what a person may see is ``review.read_scope`` / ``review.replies.can_see``."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.inbox import service as inbox_service
from bot.web import inbox_filters, inbox_message_page
from bot.web.api_common import services
from bot.web.auth import console_action, console_page, csrf_token, flash
from bot.wordings.picker import picker
from review import replies
from review.models import Person
from review.store import inbox_listing
from review.timefmt import fmt


@console_page
async def inbox(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """GET filters (state, topic, department for admins, overdue, hot, window closing) and
    pages; each row with its deadline and reply window as chat and the CLI say them."""
    departments = await inbox_listing.departments(session)
    q = inbox_filters.parse(request.query, person, departments)
    now = services(request).clock()
    reads = replies.reads_messages(person)  # an editor reads no citizen's message, not even a list
    rows, total = (
        await inbox_listing.page(
            session, q.filter, now, offset=q.offset, limit=inbox_filters.PER_PAGE
        )
        if reads
        else ([], 0)
    )
    ctx = {
        "me": person, "csrf": await csrf_token(request), "fmt": fmt, "flash": flash(request),
        "rows": [inbox_service.view(m, person, now) for m in rows], "now": now, "q": q,
        "pager": inbox_filters.pages(q, total), "states": inbox_filters.STATE_CHOICES,
        "topics": await inbox_listing.topics(session, q.filter.department_id),
        "departments": departments if person.has_role("admin") else [],
        "own_department": next((d.name for d in departments if d.id == person.department_id), ""),
        "window_hours": inbox_filters.WINDOW_HOURS, "reads": reads,
    }  # fmt: skip
    return aiohttp_jinja2.render_template("console_inbox.html", request, ctx)


@console_action
async def message(request: web.Request, person: Person) -> web.StreamResponse:
    message_id = await inbox_message_page.visible(request, person)
    extra = await picker(services(request), request.query)
    return await inbox_message_page.render(request, person, message_id, **extra)


def setup(app: web.Application) -> None:
    app.router.add_get("/console/inbox", inbox)
    app.router.add_get("/console/inbox/{id:\\d+}", message)
