"""The message page's forms: answer (客服消息, 公开答复, 电话答复), compose (find or insert a
口径 without JavaScript), 转办, 关闭 / 忽略, and a WeChat comment's 精选 / 删除. Each calls the
function chat and the CLI call; a refusal draws the page again with what was typed kept and the
domain's Chinese reason beside the form (no redirect that would lose it). Every action first
passes need-to-know: another department's message is a 404, as on the page."""

from __future__ import annotations

from aiohttp import web

from bot.inbox import answering, comments
from bot.inbox import service as inbox_service
from bot.web import inbox_message_page
from bot.web.api_common import services
from bot.web.auth import console_action, notice
from bot.wordings.picker import compose as compose_answer
from review.errors import DomainError, ValidationFailed
from review.models import Person


async def _done(request: web.Request, text: str, to: str) -> web.StreamResponse:
    async with services(request).sessions.begin() as session:
        await notice(session, request, text)
    raise web.HTTPSeeOther(to)


@console_action
async def reply(request: web.Request, person: Person) -> web.StreamResponse:
    """The answer form: its route chosen with a radio button. Refused (a domain error), or not
    delivered (the reply window shut, the platform down, the gate blocked the public answer):
    the page again with the text and route kept and why."""
    message_id = await inbox_message_page.visible(request, person)
    form = await request.post()
    text, route = str(form.get("text", "")).strip(), str(form.get("route") or "cs")
    kept = {"form_text": text, "form_route": route}
    try:
        result = await answering.answer(
            services(request), message_id, person.key, text, route, surface="console"
        )
    except DomainError as exc:
        return await inbox_message_page.render(
            request, person, message_id, error=exc.message, **kept
        )
    if not result.ok:
        return await inbox_message_page.render(request, person, message_id, error=result, **kept)
    return await _done(request, result, f"/console/inbox/{message_id}")


@console_action
async def compose(request: web.Request, person: Person) -> web.StreamResponse:
    """「查找口径」 or 「插入答复」 inside the answer form: nothing changes, the page comes back
    with the typed text (and the inserted 口径) in the box."""
    message_id = await inbox_message_page.visible(request, person)
    form = await request.post()
    extra = await compose_answer(services(request), form)
    route = str(form.get("route") or "cs")
    return await inbox_message_page.render(request, person, message_id, form_route=route, **extra)


@console_action
async def transfer(request: web.Request, person: Person) -> web.StreamResponse:
    """转办 to another department with a note (``bot.inbox.service.transfer``, as 「转办 #35
    处室」 and ``newmedia inbox transfer``). Afterwards the list: the message has left."""
    message_id = await inbox_message_page.visible(request, person)
    form = await request.post()
    to, note = str(form.get("department", "")).strip(), str(form.get("note", ""))
    try:
        if not to:
            raise ValidationFailed("请选择转办的处室", field="department")
        result = await inbox_service.transfer(services(request), message_id, person.key, to, note)
    except DomainError as exc:
        return await inbox_message_page.render(
            request, person, message_id,
            transfer_error=exc.message, transfer_to=to, transfer_note=note,
        )  # fmt: skip
    return await _done(request, result, "/console/inbox")


@console_action
async def close(request: web.Request, person: Person) -> web.StreamResponse:
    """关闭 (办结) or 忽略 (重复、广告等无需答复) with the reason the domain requires
    (``bot.inbox.service.close``, as 「关闭 #35 原因」 and ``newmedia inbox close``)."""
    message_id = await inbox_message_page.visible(request, person)
    form = await request.post()
    reason, kind = str(form.get("reason", "")), str(form.get("kind") or "close")
    try:
        result = await inbox_service.close(
            services(request), message_id, person.key, reason, dismiss=kind == "dismiss"
        )
    except DomainError as exc:
        return await inbox_message_page.render(
            request, person, message_id, close_error=exc.message, close_reason=reason,
            close_kind=kind,
        )  # fmt: skip
    return await _done(request, result, f"/console/inbox/{message_id}")


@console_action
async def moderate(request: web.Request, person: Person) -> web.StreamResponse:
    """精选 / 取消精选 / 删除 (with its reason) a WeChat article comment."""
    message_id = await inbox_message_page.visible(request, person)
    form = await request.post()
    action, reason = str(form.get("action", "")), str(form.get("reason", ""))
    result: str
    try:
        result = await comments.moderate(services(request), message_id, person.key, action, reason)
    except DomainError as exc:
        result = exc.message
    return await _done(request, result, f"/console/inbox/{message_id}")


def setup(app: web.Application) -> None:
    app.router.add_post("/console/inbox/{id:\\d+}/reply", reply)
    app.router.add_post("/console/inbox/{id:\\d+}/compose", compose)
    app.router.add_post("/console/inbox/{id:\\d+}/transfer", transfer)
    app.router.add_post("/console/inbox/{id:\\d+}/close", close)
    app.router.add_post("/console/inbox/{id:\\d+}/comment", moderate)
