"""/console/calendar: one account's week or month of posts, scheduled and published, with
their states; failed and 待人工核对 stand out. Navigation is plain links (no JavaScript).

From a post on it: 取消 (that account's publication) and 改期 (the draft's time, every account
of it) — plain forms calling ``review.schedule_changes``, as chat's 取消/改期 and the CLI do;
who may is decided there (谁开设、谁管理) and its refusal is the notice.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.preview.render import PLATFORM_LABELS
from bot.web.api_common import path_id, services
from bot.web.auth import console_page, csrf_token, flash, notice
from review import publication_calendar as cal
from review import read_scope, schedule_changes
from review.errors import DomainError
from review.models import Account, Person
from review.states import PUBLICATION_LABELS, PublicationStatus
from review.store import directory
from review.store import publication_pages as pages
from review.timefmt import day_label, fmt, local_date, parse_local, to_local


def _account(accounts: list[Account], key: str | None, person: Person) -> Account | None:
    """The chosen account, else the first one the person's department opened, else the first."""
    chosen = [a for a in accounts if a.key == key]
    own = [a for a in accounts if a.owner_department_id == person.department_id]
    found = chosen or own or accounts
    return found[0] if found else None


def _link(account: Account, view: str, day: date) -> str:
    query = {"account": account.key, "view": view, "day": day.isoformat()}
    return "/console/calendar?" + urlencode(query)


@console_page
async def calendar_page(
    request: web.Request, session: AsyncSession, person: Person
) -> web.Response:
    accounts = await directory.all_accounts(session)
    account = _account(accounts, request.query.get("account"), person)
    today = local_date(services(request).clock())
    period = cal.period(
        request.query.get("view", "week"), cal.parse_day(request.query.get("day"), today)
    )
    rows: list[Any] = []
    if account is not None:
        scope = read_scope.scope_for(person)
        rows = await pages.between(session, account.id, period.start, period.end, scope)
    ctx: dict[str, Any] = {
        "me": person, "csrf": await csrf_token(request), "flash": flash(request),
        "accounts": accounts, "account": account, "period": period, "today": today,
        "views": cal.VIEWS, "platforms": PLATFORM_LABELS, "days": cal.by_day(rows),
        "labels": {str(k): v for k, v in PUBLICATION_LABELS.items()},
        "attention": {str(s) for s in cal.ATTENTION}, "scheduled": str(PublicationStatus.SCHEDULED),
        "day_label": day_label, "fmt": fmt, "to_local": to_local, "placed_at": cal.placed_at,
        "link": (lambda view, day: _link(account, view, day)) if account else None,
        "here": request.path_qs,
    }  # fmt: skip
    return aiohttp_jinja2.render_template("console_calendar.html", request, ctx)


def _back(form: Any) -> str:
    """Where the form came from (a console page only: never another site)."""
    back = str(form.get("back") or "")
    return back if back.startswith("/console/") and "//" not in back else "/console/calendar"


async def _change(request: web.Request, session: AsyncSession, change: Any) -> None:
    """Run it in a savepoint (a refusal leaves nothing behind) and say the outcome."""
    try:
        async with session.begin_nested():
            message = await change
    except DomainError as exc:
        message = f"未执行：{exc.message}"
    await notice(session, request, message)


@console_page
async def cancel(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """取消 one account's scheduled publication (chat 取消, ``publications cancel``)."""
    form = await request.post()
    pub = await read_scope.publication(session, person, path_id(request))  # else 404
    await _change(request, session, schedule_changes.cancel_publication(session, pub.id, person))
    raise web.HTTPSeeOther(_back(form))


@console_page
async def reschedule(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """改期: the post's draft to a new time (chat 改期, ``draft reschedule``)."""
    form = await request.post()
    pub = await read_scope.publication(session, person, path_id(request))  # else 404
    when = str(form.get("publish_at") or "").strip()
    try:
        at = parse_local(when.replace("T", " "))
    except ValueError as exc:
        await notice(session, request, f"未执行：{exc}" if when else "未执行：请填写新的发布时间")
        raise web.HTTPSeeOther(_back(form)) from None
    await _change(request, session, schedule_changes.reschedule(session, pub.draft_id, person, at))
    raise web.HTTPSeeOther(_back(form))


def setup(app: web.Application) -> None:
    app.router.add_get("/console/calendar", calendar_page)
    app.router.add_post("/console/publications/{id:\\d+}/cancel", cancel)
    app.router.add_post("/console/publications/{id:\\d+}/reschedule", reschedule)
