"""Editing a draft in the console: a new revision, with the same image check as the API and CLI
(``Services.prepare_draft``), a cover path or an uploaded cover, and review restarted when the
draft was already in it (先审后发: the approvals pinned the old content)."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web import console_forms
from bot.web.api_common import path_id, services
from bot.web.auth import console_page, csrf_token, flash, notice
from bot.web.console_forms import accepts_upload, form_cover
from review import drafts, queue, read_scope
from review.errors import DomainError
from review.models import Person
from review.store import drafts as dstore
from review.timefmt import fmt, parse_local
from review.views import draft_view


async def _page(
    request: web.Request, session: AsyncSession, person: Person, draft_id: int, **ctx: Any
) -> web.Response:
    await read_scope.draft(session, person, draft_id)  # else 404, as if missing
    draft, rev = await drafts.load(session, draft_id)
    view = await draft_view(session, draft, rev, full=True)
    when = view["publish_at_local"].replace(" ", "T") if view["publish_at"] else ""
    ctx.setdefault("form", {**view, "cover": view["cover_path"] or "", "publish_at_input": when})
    ctx.update(d=view, kinds=drafts.KINDS, me=person, csrf=await csrf_token(request))
    ctx.update(fmt=fmt, flash=flash(request))
    return aiohttp_jinja2.render_template("console_draft_edit.html", request, ctx)


@console_page
async def edit_form(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    return await _page(request, session, person, path_id(request))


@accepts_upload
@console_page
async def save(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    draft_id = path_id(request)
    svc = services(request)
    await read_scope.draft(session, person, draft_id)  # else 404, as if missing
    posted = await console_forms.posted(request)
    form = posted.fields
    try:
        # a savepoint: a refused edit (or a review that cannot restart) leaves nothing behind
        async with session.begin_nested():
            when = str(form.get("publish_at") or "").strip()
            accounts = [a.key for a in await dstore.target_accounts(session, draft_id)]
            inp = drafts.DraftInput(
                title=str(form.get("title", "")),
                body=str(form.get("body", "")),
                accounts=accounts,
                kind=str(form.get("kind") or "工作动态"),
                source=str(form.get("source") or "") or None,
                cover_path=await form_cover(svc, posted),
                publish_at=parse_local(when.replace("T", " ")) if when else None,
            )
            inp = await svc.prepare_draft(inp)  # MediaRefused names a bad image
            draft, rev, restarted = await queue.edit(
                session, person, draft_id, inp,
                safe_domains=svc.safe_domains, limits=svc.platform_limits,
            )  # fmt: skip
    except (DomainError, ValueError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        return await _page(request, session, person, draft_id, form=dict(form), error=message)
    msg = f"已保存为第 {rev.number} 版" + ("，审核已重新开始" if restarted else "")
    await notice(session, request, msg)
    raise web.HTTPSeeOther(f"/console/drafts/{draft.id}")


def setup(app: web.Application) -> None:
    app.router.add_get("/console/drafts/{id:\\d+}/edit", edit_form)
    app.router.add_post("/console/drafts/{id:\\d+}/edit", save)
