"""``/console/audit``: the audit log searched by person, action, object and date, a page at a
time (plain links and a GET form: no JavaScript), with Chinese labels (``review.audit_labels``),
each event's details as label/value pairs, and the whole chain's verification — every break,
as ``newmedia audit verify`` lists them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.api_common import page_number
from bot.web.auth import console_page, csrf_token, flash
from review.audit_chain import headline
from review.audit_labels import (
    ACTOR_LABELS,
    SUBJECT_LABELS,
    action_label,
    readable_detail,
    subject_label,
)
from review.models import AuditEvent, Person
from review.store import audit
from review.store.audit_search import (
    AuditQuery,
    actions_in_use,
    actors_in_use,
    person_names,
    search,
)
from review.timefmt import SHANGHAI, calendar_day, fmt

PER_PAGE = 50
#: an object's page in the console, by subject type
SUBJECT_PAGES = {
    "draft": "/console/drafts/{}",
    "message": "/console/inbox/{}",
    "wording": "/console/wordings/{}",
    "publication": "/console/publications/{}",
}
_FIELDS = ("actor", "action", "type", "id", "since", "until")


@dataclass(frozen=True)
class Form:
    """The search as typed (shown back in the form) and the problems with it."""

    values: dict[str, str]
    query: AuditQuery
    page: int
    problems: list[str]


def _day(text: str, name: str, problems: list[str]) -> date | None:
    if not text:
        return None
    try:
        return calendar_day(text)
    except ValueError:
        problems.append(f"{name}「{text}」不是日期，请按 2026-12-03 的格式填写")
        return None


def _start_of(day: date) -> datetime:
    """The first moment of ``day`` in Beijing time."""
    return datetime.combine(day, time(), tzinfo=SHANGHAI)


def read_form(request: web.Request) -> Form:
    values = {k: request.query.get(k, "").strip()[:64] for k in _FIELDS}
    problems: list[str] = []
    since = _day(values["since"], "起始日期", problems)
    until = _day(values["until"], "截止日期", problems)
    if since and until and until < since:
        problems.append("截止日期早于起始日期")
    subject_id = values["id"].lstrip("#")
    query = AuditQuery(
        actor=values["actor"] or None,
        action=values["action"] or None,
        subject_type=values["type"] or None,
        subject_id=subject_id or None,
        since=_start_of(since) if since else None,
        until=_start_of(until + timedelta(days=1)) if until else None,
    )
    page = page_number(request.query.get("page", "1"))
    return Form(values, query, page, problems)


def page_link(form: Form, page: int) -> str:
    kept = {k: v for k, v in form.values.items() if v}
    if page > 1:
        kept["page"] = str(page)
    return "/console/audit" + (f"?{urlencode(kept)}" if kept else "")


def _subject_name(event: AuditEvent, names: dict[str, str]) -> str:
    """A person by name (the log keeps the key); anything else by its number."""
    if event.subject_type == "person" and event.subject_id in names:
        return names[event.subject_id]
    return event.subject_id


def _row(event: AuditEvent, names: dict[str, str]) -> dict[str, Any]:
    page = SUBJECT_PAGES.get(event.subject_type)
    actor = names.get(event.actor) or ACTOR_LABELS.get(event.actor)
    return {
        "seq": event.seq,
        "at": fmt(event.at),
        "actor": event.actor,
        "actor_name": actor,
        "action": event.action,
        "action_label": action_label(event.action),
        "subject": f"{subject_label(event.subject_type)} {_subject_name(event, names)}".strip(),
        "subject_link": page.format(event.subject_id) if page and event.subject_id else None,
        "details": readable_detail(event.detail),
    }


@console_page
async def audit_page(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    form = read_form(request)
    found = await search(session, form.query, page=form.page, per_page=PER_PAGE)
    names = await person_names(session)
    checked, breaks = await audit.breaks(session)
    actions = await actions_in_use(session)
    actors = await actors_in_use(session)
    ctx: dict[str, Any] = {
        "me": person,
        "csrf": await csrf_token(request),
        "flash": flash(request),
        "form": form.values,
        "problems": form.problems,
        "rows": [_row(e, names) for e in found.events],
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
        "prev_link": page_link(form, found.page - 1) if found.page > 1 else None,
        "next_link": page_link(form, found.page + 1) if found.page < found.pages else None,
        "verdict": headline(checked, breaks),
        "breaks": [b.describe() for b in breaks],
        "actions": sorted(((a, action_label(a)) for a in actions), key=lambda p: p[0]),
        "actors": [(a, names.get(a) or ACTOR_LABELS.get(a, a)) for a in actors],
        "subject_types": sorted(SUBJECT_LABELS.items()),
    }
    return aiohttp_jinja2.render_template("console_audit.html", request, ctx)


def setup(app: web.Application) -> None:
    app.router.add_get("/console/audit", audit_page)
