"""The editors' and reviewers' web console: it mirrors the CLI and the chat commands."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

import templates
from bot.web import console_audit, console_forms, console_reports
from bot.web.api_common import path_id, services
from bot.web.auth import console_page, csrf_token, flash, notice
from bot.web.console_forms import accepts_upload, form_cover
from bot.web.form_preview import preview_new
from review import drafts, queue, read_scope
from review.checks.labels import verdict_label
from review.errors import DomainError
from review.models import Person
from review.presenters import submit_summary
from review.store import directory
from review.store import drafts as dstore
from review.timefmt import fmt, parse_local
from review.views import draft_view


async def _render(
    request: web.Request, name: str, person: Person | None, **ctx: Any
) -> web.Response:
    ctx.update(me=person, csrf=await csrf_token(request), fmt=fmt, flash=flash(request))
    return aiohttp_jinja2.render_template(name, request, ctx)


@console_page
async def home(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    tasks = await queue.queue_for(session, person)
    mine = await dstore.list_drafts(session, author_id=person.id, limit=20)
    recent = await dstore.list_drafts(session, scope=read_scope.scope_for(person), limit=20)
    return await _render(
        request,
        "console_home.html",
        person,
        tasks=tasks,
        my_drafts=[await draft_view(session, d) for d in mine],
        drafts=[await draft_view(session, d) for d in recent],
        verdict_label=verdict_label,
    )


@console_page
async def new_draft(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    accounts = await directory.all_accounts(session)
    return await _render(
        request, "console_draft_new.html", person, accounts=accounts, kinds=drafts.KINDS, form={},
        disclosures=drafts.DISCLOSURES,
    )  # fmt: skip


@accepts_upload
@console_page
async def create_draft(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    posted = await console_forms.posted(request)
    form = posted.fields
    if form.get("action") == "preview":  # 「预览」: nothing saved
        return await preview_new(request, session, person)
    try:
        when = str(form.get("publish_at") or "").strip()
        inp = drafts.DraftInput(
            title=str(form.get("title", "")),
            body=str(form.get("body", "")),
            accounts=[str(v) for v in form.getall("accounts", [])],
            kind=str(form.get("kind") or "工作动态"),
            disclosure=str(form.get("disclosure") or "") or None,
            source=str(form.get("source") or "") or None,
            cover_path=await form_cover(services(request), posted),
            publish_at=parse_local(when.replace("T", " ")) if when else None,
        )
        inp = await services(request).prepare_draft(inp)  # MediaRefused names a bad image
        draft, _rev = await drafts.create(session, person, inp)
    except (DomainError, ValueError) as exc:
        accounts = await directory.all_accounts(session)
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        return await _render(
            request,
            "console_draft_new.html",
            person,
            accounts=accounts,
            kinds=drafts.KINDS,
            disclosures=drafts.DISCLOSURES,
            form=dict(form),
            chosen=[str(v) for v in form.getall("accounts", [])],
            error=message,
        )
    await notice(session, request, "已创建")
    raise web.HTTPSeeOther(f"/console/drafts/{draft.id}")


@console_page
async def submit_draft(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    draft_id = path_id(request)
    await read_scope.draft(session, person, draft_id)  # else 404, as if missing
    svc = services(request)
    try:
        # a savepoint: a refusal must not leave half of the submission behind when the
        # page's transaction commits for the redirect
        async with session.begin_nested():
            result = await queue.submit(
                session,
                draft_id,
                person,
                safe_domains=svc.safe_domains,
                limits=svc.platform_limits,
            )
    except DomainError as exc:
        await notice(session, request, exc.message)
        raise web.HTTPSeeOther(f"/console/drafts/{draft_id}") from None
    await notice(session, request, submit_summary(result))
    raise web.HTTPSeeOther(f"/console/drafts/{draft_id}")


async def root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/console/")


def setup(app: web.Application) -> None:
    aiohttp_jinja2.setup(app, loader=templates.loader("web"), autoescape=True)
    app.router.add_get("/", root)
    app.router.add_get("/console", root)  # typed without the slash: the same front page
    app.router.add_get("/console/", home)
    app.router.add_get("/console/drafts/new", new_draft)
    app.router.add_post("/console/drafts", create_draft)
    # /console/drafts (the list), /console/drafts/{id}, /console/queue and the task actions:
    # console_drafts, console_draft_page and console_queue, set up beside this in bot.app
    app.router.add_post("/console/drafts/{id:\\d+}/submit", submit_draft)
    # /console/publications: bot/web/console_publications.py (and console_calendar.py)
    console_audit.setup(app)  # /console/audit: search, labels, the chain's verification
    console_reports.setup(app)  # /console/reports: the annual report, charts, CSV
