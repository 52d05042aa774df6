"""The review queue in the console: the person's tasks (and, for a head, the department's open
and claimed ones), and every task action — claim, release, approve, reject, send back,
reassign (heads) — plus a head's written override of a blocking check. Each calls the same
``review.queue`` function as the chat commands, the CLI and the API, so the permission
refusals and the audit lines are theirs; a task or draft the person may not read is 404.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.preview.render import PLATFORM_LABELS
from bot.services import Services
from bot.web.api_common import path_id, services
from bot.web.auth import console_page, csrf_token, flash, notice
from bot.web.task_choices import reassign_choices
from review import queue, read_scope
from review.checks.labels import verdict_label
from review.errors import DomainError, NotFound, ValidationFailed
from review.models import Person
from review.queue_views import TaskView
from review.store import directory, queue_listing
from review.timefmt import fmt

TASK_ACTIONS = ("claim", "release", "approve", "reject", "revise", "reassign")
#: where a task form may send the person back to (never an address the form names freely)
BACK = {"queue": "/console/queue"}


@console_page
async def queue_page(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    mine = await queue.queue_for(session, person)
    department: list[TaskView] = []
    if person.has_role("head"):
        ids = await queue_listing.department_task_ids(session, person.department_id)
        seen = {t.id for t in mine}
        department = await queue.task_views(session, [i for i in ids if i not in seen])
    ctx: dict[str, Any] = {
        "tasks": mine,
        "department_tasks": department,
        "choices": await reassign_choices(session, person, mine + department),
        "back": "queue",
        "me": person,
        "csrf": await csrf_token(request),
        "fmt": fmt,
        "verdict_label": verdict_label,
        "platform_labels": PLATFORM_LABELS,
        "flash": flash(request),
    }
    return aiohttp_jinja2.render_template("console_queue.html", request, ctx)


async def _act(
    session: AsyncSession, task_id: int, action: str, person: Person, form: Any, svc: Services
) -> None:
    note = str(form.get("note", "")).strip()
    if action == "claim":
        await queue.claim(session, task_id, person, lease=svc.lease)
    elif action == "release":
        await queue.release(session, task_id, person)
    elif action == "approve":
        await queue.approve(session, task_id, person, note or None, slots=svc.slots)
    elif action == "reject":
        await queue.reject(session, task_id, person, note)
    elif action == "revise":
        await queue.request_changes(session, task_id, person, note)
    else:
        key = str(form.get("to", "")).strip()
        if not key:
            raise ValidationFailed("请选择转派给谁", field="to")
        target = await directory.person_by_name_or_key(session, key)
        if target is None or not target.active:
            raise NotFound(f"找不到人员「{key}」")
        await queue.reassign(session, task_id, person, target, lease=svc.lease)


@console_page
async def task_action(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """The task forms of the queue and draft pages; the outcome comes back as the notice."""
    task_id, action = path_id(request), request.match_info["action"]
    if action not in TASK_ACTIONS:
        raise web.HTTPNotFound()
    await read_scope.task(session, person, task_id)  # else 404, as if missing
    form = await request.post()
    try:
        # a savepoint: a refusal leaves nothing behind when the page's transaction commits
        async with session.begin_nested():
            await _act(session, task_id, action, person, form, services(request))
        msg = "已完成"
    except DomainError as exc:
        msg = exc.message
    view = await queue.task_view(session, task_id)
    await notice(session, request, msg)
    back = BACK.get(str(form.get("back", "")))
    raise web.HTTPSeeOther(back or f"/console/drafts/{view.draft_id}")


@console_page
async def override(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """A head's written, audited exception for one blocking check (``queue.override``)."""
    draft_id = path_id(request)
    await read_scope.draft(session, person, draft_id)  # else 404, as if missing
    form = await request.post()
    check, reason = str(form.get("check", "")).strip(), str(form.get("reason", "")).strip()
    try:
        async with session.begin_nested():
            if not check:
                raise ValidationFailed("请选择要例外放行的检查", field="check")
            await queue.override(session, draft_id, person, check, reason)
        msg = "已批准例外，并通知作者重新提交"
    except DomainError as exc:
        msg = exc.message
    await notice(session, request, msg)
    raise web.HTTPSeeOther(f"/console/drafts/{draft_id}")


def setup(app: web.Application) -> None:
    app.router.add_get("/console/queue", queue_page)
    app.router.add_post("/console/tasks/{id:\\d+}/{action}", task_action)
    app.router.add_post("/console/drafts/{id:\\d+}/override", override)
