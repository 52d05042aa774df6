"""Editing a draft in the console: a new revision, with the same image check as the API and CLI
(``Services.prepare_draft``), a cover path or an uploaded cover, and review restarted when the
draft was already in it (先审后发: the approvals pinned the old content). Also the draft page's
schedule buttons: cancel its publication, or move its publish time (``review.schedule_changes``),
and its 「一键去标识化」: the gate's masking suggestion applied as a new revision (``mask_draft``).
The form's 「预览」 draws and gates the typed text without saving (``bot.web.form_preview``)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web import console_forms
from bot.web.api_common import path_id, services
from bot.web.auth import console_page, csrf_token, flash, notice
from bot.web.console_forms import accepts_upload, form_cover
from bot.web.form_preview import FormPreview, form_input, preview_form
from review import drafts, queue, read_scope, schedule_changes
from review.checks.labels import findings, verdict_label
from review.deid_drafts import mask_draft
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
    shown: FormPreview | None = ctx.get("preview")
    # beside the text: the gate on what was typed (「预览」), else on the saved revision
    ctx.setdefault("findings", shown.findings if shown else findings(view["gate_report"]))
    ctx.setdefault("gate_verdict", shown.verdict if shown else view["gate"])
    ctx.setdefault("previews", shown.shown if shown else [])
    ctx.update(d=view, kinds=drafts.KINDS, me=person, csrf=await csrf_token(request))
    ctx.update(disclosures=drafts.DISCLOSURES)
    ctx.update(fmt=fmt, flash=flash(request), verdict_label=verdict_label, maskable=False)
    return aiohttp_jinja2.render_template("console_draft_edit.html", request, ctx)


async def _preview(
    request: web.Request, session: AsyncSession, person: Person, draft_id: int
) -> web.Response:
    """「预览」: the form drawn per platform and gated, nothing saved; an uploaded cover is
    stored (by content) and its path put in the form, so 保存 needs no second upload."""
    svc = services(request)
    posted = await console_forms.posted(request)
    fields = dict(posted.fields)
    targets = await dstore.target_accounts(session, draft_id)
    try:
        cover = await form_cover(svc, posted)
        if posted.upload and cover:
            fields["cover"] = cover
        inp = await svc.prepare_draft(form_input(posted.fields, [a.key for a in targets], cover))
    except (DomainError, ValueError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        return await _page(request, session, person, draft_id, form=fields, error=message)
    _draft, saved = await drafts.load(session, draft_id)
    shown = await preview_form(
        svc, session, inp, targets, person.id, saved=saved, draft_id=draft_id
    )
    return await _page(request, session, person, draft_id, form=fields, preview=shown)


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
    if form.get("action") == "preview":
        return await _preview(request, session, person, draft_id)
    try:
        # a savepoint: a refused edit (or a review that cannot restart) leaves nothing behind
        async with session.begin_nested():
            accounts = [a.key for a in await dstore.target_accounts(session, draft_id)]
            inp = form_input(form, accounts, await form_cover(svc, posted))
            inp = await svc.prepare_draft(inp)  # MediaRefused names a bad image
            draft, rev, restarted = await queue.edit(
                session, person, draft_id, inp,
                safe_domains=svc.safe_domains, limits=svc.platform_limits,
            )  # fmt: skip
            note = await drafts.edit_note(session, draft.id, rev)
    except (DomainError, ValueError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        return await _page(request, session, person, draft_id, form=dict(form), error=message)
    msg = f"已保存为第 {rev.number} 版" + ("，审核已重新开始" if restarted else "") + f"；{note}"
    await notice(session, request, msg)
    raise web.HTTPSeeOther(f"/console/drafts/{draft.id}")


@console_page
async def cancel(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """The draft page's 「取消发布」: every still-scheduled publication of the draft."""
    draft_id = path_id(request)
    await read_scope.draft(session, person, draft_id)  # else 404, as if missing
    await _schedule_change(
        request, session, schedule_changes.cancel_draft(session, draft_id, person)
    )
    raise web.HTTPSeeOther(f"/console/drafts/{draft_id}")


@console_page
async def reschedule(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """The draft page's 「改期」: a new publish time, the content and its approvals kept."""
    draft_id = path_id(request)
    await read_scope.draft(session, person, draft_id)  # else 404, as if missing
    when = str((await request.post()).get("publish_at") or "").strip()
    try:
        at = parse_local(when.replace("T", " "))
    except ValueError as exc:
        await notice(session, request, str(exc) if when else "请填写新的发布时间")
        raise web.HTTPSeeOther(f"/console/drafts/{draft_id}") from None
    change = schedule_changes.reschedule(session, draft_id, person, at)
    await _schedule_change(request, session, change)
    raise web.HTTPSeeOther(f"/console/drafts/{draft_id}")


async def _schedule_change(
    request: web.Request, session: AsyncSession, change: Coroutine[Any, Any, str]
) -> None:
    """Run it in a savepoint (a refusal leaves nothing behind) and say the outcome."""
    try:
        async with session.begin_nested():
            message = await change
    except DomainError as exc:
        message = exc.message
    await notice(session, request, message)


@console_page
async def mask(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """The gate card's 「一键去标识化」: names masked (张*国), addresses cut to the community."""
    draft_id = path_id(request)
    await read_scope.draft(session, person, draft_id)  # else 404, as if missing
    svc = services(request)
    try:
        async with session.begin_nested():
            out = await mask_draft(
                session, person, draft_id, safe_domains=svc.safe_domains, limits=svc.platform_limits
            )
    except DomainError as exc:
        await notice(session, request, exc.message)
        raise web.HTTPSeeOther(f"/console/drafts/{draft_id}") from None
    if out.revision is None:
        message = "未发现需要去标识化的个人信息，稿件未改动"
    else:
        changed = "；".join(f"{a} → {b or '（删去）'}" for _, a, b in out.changes[:5])
        more = f" 等 {len(out.changes)} 处" if len(out.changes) > 5 else ""
        message = f"已去标识化，保存为第 {out.revision.number} 版：{changed}{more}"
        if out.review_restarted:
            message += "；审核已重新开始"
    await notice(session, request, message)
    raise web.HTTPSeeOther(f"/console/drafts/{draft_id}")


def setup(app: web.Application) -> None:
    app.router.add_get("/console/drafts/{id:\\d+}/edit", edit_form)
    app.router.add_post("/console/drafts/{id:\\d+}/edit", save)
    app.router.add_post("/console/drafts/{id:\\d+}/cancel", cancel)
    app.router.add_post("/console/drafts/{id:\\d+}/reschedule", reschedule)
    app.router.add_post("/console/drafts/{id:\\d+}/mask", mask)
