"""Console pages of the 口径 library: list and search, an entry with its versions, and the
forms to write, edit, submit, approve and reject (no JavaScript). The same service functions
the chat and CLI use (bot/wordings/service.py); each form answers with the page again and a
notice, or the refusal's Chinese sentence with the text kept."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.web.api_common import path_id, services
from bot.web.auth import console_action, csrf_token, flash, notice
from bot.wordings import service
from review.errors import DomainError
from review.models import Person
from review.wordings.library import Proposal
from review.wordings.policy import KINDS, kind_of


def _proposal(form: Any) -> Proposal:
    keywords = tuple(str(form.get("keywords", "")).split(","))
    topic = str(form.get("topic", "")).strip() or None
    return Proposal(str(form.get("title", "")), str(form.get("text", "")), keywords, topic)


async def _list_page(request: web.Request, person: Person, **extra: Any) -> web.Response:
    q = request.query.get("q", "").strip()
    kind = request.query.get("kind") or None
    found = (
        await service.search(services(request), q, kind_of(kind) if kind else None)
        if q
        else await service.listing(services(request), kind_of(kind) if kind else None)
    )
    ctx = {"me": person, "csrf": await csrf_token(request), "flash": flash(request),
           "rows": found, "q": q, "kind": kind, "kinds": KINDS, **extra}  # fmt: skip
    return aiohttp_jinja2.render_template("console_wordings.html", request, ctx)


async def _entry_page(request: web.Request, person: Person, **extra: Any) -> web.Response:
    entry = await service.show(services(request), path_id(request))
    ctx = {"me": person, "csrf": await csrf_token(request), "flash": flash(request),
           "e": entry, "newest": entry.versions[-1] if entry.versions else None, **extra}  # fmt: skip
    return aiohttp_jinja2.render_template("console_wording.html", request, ctx)


async def _done(request: web.Request, text: str, to: str) -> web.StreamResponse:
    async with services(request).sessions.begin() as session:
        await notice(session, request, text)
    raise web.HTTPSeeOther(to)


@console_action
async def listing(request: web.Request, person: Person) -> web.StreamResponse:
    return await _list_page(request, person)


@console_action
async def entry(request: web.Request, person: Person) -> web.StreamResponse:
    return await _entry_page(request, person)


@console_action
async def create(request: web.Request, person: Person) -> web.StreamResponse:
    form = await request.post()
    try:
        view = await service.create(
            services(request), person.key, kind_of(str(form.get("kind", "口径"))),
            _proposal(form), None,
        )  # fmt: skip
        text = f"已新建{view.kind_label}{view.id}（草稿）"
        if form.get("submit"):
            text = await service.submit(services(request), person.key, view.id)
    except DomainError as exc:
        return await _list_page(request, person, error=exc.message, form=dict(form))
    return await _done(request, text, f"/console/wordings/{view.id}")


@console_action
async def edit(request: web.Request, person: Person) -> web.StreamResponse:
    entry_id, form = path_id(request), await request.post()
    try:
        number = await service.edit(services(request), person.key, entry_id, _proposal(form))
        text = f"已生成新版本 v{number}（草稿；在用版本审定前继续使用）"
        if form.get("submit"):
            text = await service.submit(services(request), person.key, entry_id)
    except DomainError as exc:
        return await _entry_page(request, person, error=exc.message, form=dict(form))
    return await _done(request, text, f"/console/wordings/{entry_id}")


@console_action
async def submit(request: web.Request, person: Person) -> web.StreamResponse:
    entry_id = path_id(request)
    try:
        text = await service.submit(services(request), person.key, entry_id)
    except DomainError as exc:
        text = exc.message
    return await _done(request, text, f"/console/wordings/{entry_id}")


@console_action
async def decide(request: web.Request, person: Person) -> web.StreamResponse:
    entry_id, form = path_id(request), await request.post()
    approve = form.get("decision") == "approve"
    note = str(form.get("note", "")).strip() or None
    try:
        text = await service.decide(
            services(request), person.key, entry_id, approve=approve, note=note
        )
    except DomainError as exc:
        text = f"未执行：{exc.message}"
    return await _done(request, text, f"/console/wordings/{entry_id}")


def setup(app: web.Application) -> None:
    app.router.add_get("/console/wordings", listing)
    app.router.add_post("/console/wordings", create)
    app.router.add_get("/console/wordings/{id:\\d+}", entry)
    app.router.add_post("/console/wordings/{id:\\d+}/edit", edit)
    app.router.add_post("/console/wordings/{id:\\d+}/submit", submit)
    app.router.add_post("/console/wordings/{id:\\d+}/decide", decide)
