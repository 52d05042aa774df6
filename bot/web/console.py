"""The editors' and reviewers' web console: it mirrors the CLI and the chat commands."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

import templates
from bot.preview.service import Previews
from bot.services import Services
from bot.web import console_forms
from bot.web.api_common import path_id, services
from bot.web.auth import console_page, csrf_token, flash, notice
from bot.web.console_forms import accepts_upload, form_cover
from review import drafts, queue, read_scope
from review.errors import DomainError
from review.models import Person
from review.presenters import submit_summary
from review.states import PUBLICATION_LABELS, PublicationStatus
from review.store import audit, directory
from review.store import drafts as dstore
from review.store import publications as pstore
from review.store import review as rstore
from review.timefmt import fmt, parse_local
from review.views import draft_view

TASK_ACTIONS = ("claim", "release", "approve", "reject", "revise")


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
    )


@console_page
async def new_draft(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    accounts = await directory.all_accounts(session)
    return await _render(
        request, "console_draft_new.html", person, accounts=accounts, kinds=drafts.KINDS, form={}
    )


@accepts_upload
@console_page
async def create_draft(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    posted = await console_forms.posted(request)
    form = posted.fields
    try:
        when = str(form.get("publish_at") or "").strip()
        inp = drafts.DraftInput(
            title=str(form.get("title", "")),
            body=str(form.get("body", "")),
            accounts=[str(v) for v in form.getall("accounts", [])],
            kind=str(form.get("kind") or "工作动态"),
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
            form=dict(form),
            error=message,
        )
    await notice(session, request, "已创建")
    raise web.HTTPSeeOther(f"/console/drafts/{draft.id}")


@console_page
async def show_draft(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    await read_scope.draft(session, person, path_id(request))  # else 404, as if missing
    draft, rev = await drafts.load(session, path_id(request))
    view = await draft_view(session, draft, rev, full=True)
    task_ids = [t.id for t in await rstore.tasks_of_revision(session, rev.id)]
    tasks = await queue.task_views(session, task_ids)
    previews = await Previews(services(request)).for_draft(session, rev, person.id)
    return await _render(
        request, "console_draft.html", person, d=view, tasks=tasks, previews=previews
    )


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


@console_page
async def task_action(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """claim / release / approve / reject / revise — the same functions the chat commands call."""
    task_id, action = path_id(request), request.match_info["action"]
    if action not in TASK_ACTIONS:
        raise web.HTTPNotFound()
    await read_scope.task(session, person, task_id)  # else 404, as if missing
    note = str((await request.post()).get("note", "")).strip()
    try:
        async with session.begin_nested():  # a refusal rolls back to here, see submit_draft
            await _task_action(session, task_id, action, person, note, services(request))
        msg = "已完成"
    except DomainError as exc:
        msg = exc.message
    view = await queue.task_view(session, task_id)
    await notice(session, request, msg)
    raise web.HTTPSeeOther(f"/console/drafts/{view.draft_id}")


async def _task_action(
    session: AsyncSession, task_id: int, action: str, person: Person, note: str, svc: Services
) -> None:
    if action == "claim":
        await queue.claim(session, task_id, person, lease=svc.lease)
    elif action == "release":
        await queue.release(session, task_id, person)
    elif action == "approve":
        await queue.approve(session, task_id, person, note or None, slots=svc.slots)
    elif action == "reject":
        await queue.reject(session, task_id, person, note)
    else:
        await queue.request_changes(session, task_id, person, note)


@console_page
async def publications(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    rows = await pstore.listing(session, scope=read_scope.scope_for(person), limit=200)
    accounts = {a.id: a for a in await directory.all_accounts(session)}
    labels = {str(k): v for k, v in PUBLICATION_LABELS.items()}
    return await _render(
        request,
        "console_publications.html",
        person,
        rows=rows,
        accounts=accounts,
        labels=labels,
        states=[s.value for s in PublicationStatus],
    )


@console_page
async def audit_page(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    events = await audit.recent(session, limit=200)
    checked, problem = await audit.verify(session)
    return await _render(
        request, "console_audit.html", person, events=events, checked=checked, problem=problem
    )


async def root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/console/")


def setup(app: web.Application) -> None:
    aiohttp_jinja2.setup(app, loader=templates.loader("web"), autoescape=True)
    app.router.add_get("/", root)
    app.router.add_get("/console", root)  # typed without the slash: the same front page
    app.router.add_get("/console/", home)
    app.router.add_get("/console/drafts/new", new_draft)
    app.router.add_post("/console/drafts", create_draft)
    app.router.add_get("/console/drafts/{id:\\d+}", show_draft)
    app.router.add_post("/console/drafts/{id:\\d+}/submit", submit_draft)
    app.router.add_post("/console/tasks/{id:\\d+}/{action}", task_action)
    app.router.add_get("/console/publications", publications)
    app.router.add_get("/console/audit", audit_page)
