"""``/api/tasks`` and submit/override: the review queue as JSON (per-person API tokens).

Each request is one transaction through ``api_common.api``; domain errors come back as JSON with
the Chinese message (403 for "not yours", 409 when someone else acted first). A task or draft
whose draft the caller may not read (``review.read_scope``) is a 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.api_common import api, json_body, path_id, services
from review import queue, read_scope
from review.errors import NotFound, ValidationFailed
from review.models import Person, ReviewTask
from review.presenters import submit_json
from review.store import directory


def _id(request: web.Request) -> int:
    return path_id(request)


async def _body(request: web.Request) -> dict[str, Any]:
    return await json_body(request) if request.can_read_body else {}


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(f"字段 {name} 必须是字符串", field=name)
    return value


async def _task_json(session: AsyncSession, task: ReviewTask) -> dict[str, Any]:
    return (await queue.task_view(session, task.id)).to_json()


@api
async def list_tasks(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    return web.json_response([v.to_json() for v in await queue.queue_for(session, person)])


async def _task_id(request: web.Request, session: AsyncSession, person: Person) -> int:
    """The path's task, if the person may read its draft (else 404, as for a missing task)."""
    return (await read_scope.task(session, person, _id(request))).id


async def _draft_id(request: web.Request, session: AsyncSession, person: Person) -> int:
    draft_id = _id(request)
    await read_scope.draft(session, person, draft_id)
    return draft_id


@api
async def get_task(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    task_id = await _task_id(request, session, person)
    return web.json_response((await queue.task_view(session, task_id)).to_json())


@api
async def claim(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    task_id = await _task_id(request, session, person)
    task = await queue.claim(session, task_id, person, lease=services(request).lease)
    return web.json_response(await _task_json(session, task))


@api
async def release(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    task = await queue.release(session, await _task_id(request, session, person), person)
    return web.json_response(await _task_json(session, task))


@api
async def approve(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    body = await _body(request)
    task_id = await _task_id(request, session, person)
    result = await queue.approve(
        session, task_id, person, _text(body, "note"), slots=services(request).slots
    )
    out = await _task_json(session, result.task)
    out["next_task"] = result.next_task.id if result.next_task else None
    out["account_done"] = result.account_done
    out["draft_done"] = result.draft_done
    out["publications"] = [
        {"id": p.id, "account_id": p.account_id, "due_at": p.due_at.isoformat()}
        for p in result.publications
    ]
    return web.json_response(out)


@api
async def reject(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    body = await _body(request)
    reason = _text(body, "reason") or _text(body, "note") or ""
    task = await queue.reject(session, await _task_id(request, session, person), person, reason)
    return web.json_response(await _task_json(session, task))


@api
async def revise(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    body = await _body(request)
    task_id = await _task_id(request, session, person)
    task = await queue.request_changes(session, task_id, person, _text(body, "note") or "")
    return web.json_response(await _task_json(session, task))


@api
async def reassign(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    task_id = await _task_id(request, session, person)
    body = await _body(request)
    key = _text(body, "to")
    if not key:
        raise ValidationFailed("请指定转派对象 to（人员 key 或姓名）", field="to")
    target = await directory.person_by_name_or_key(session, key)
    if target is None:
        raise NotFound(f"未知的人员「{key}」")
    lease = services(request).lease
    task = await queue.reassign(session, task_id, person, target, lease=lease)
    return web.json_response(await _task_json(session, task))


@api
async def submit(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    svc = services(request)
    draft_id = await _draft_id(request, session, person)
    result = await queue.submit(
        session, draft_id, person, safe_domains=svc.safe_domains, limits=svc.platform_limits
    )
    return web.json_response(submit_json(result))


@api
async def override(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    draft_id = await _draft_id(request, session, person)
    body = await _body(request)
    check = _text(body, "check")
    if not check:
        raise ValidationFailed("请指定要例外放行的检查 check（如 personal_data）", field="check")
    row = await queue.override(session, draft_id, person, check, _text(body, "reason") or "")
    return web.json_response(
        {"id": row.id, "draft_id": draft_id, "check": row.check_name, "reason": row.reason},
        status=201,
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/api/tasks", list_tasks)
    app.router.add_get("/api/tasks/{id}", get_task)
    app.router.add_post("/api/tasks/{id}/claim", claim)
    app.router.add_post("/api/tasks/{id}/release", release)
    app.router.add_post("/api/tasks/{id}/approve", approve)
    app.router.add_post("/api/tasks/{id}/reject", reject)
    app.router.add_post("/api/tasks/{id}/revise", revise)
    app.router.add_post("/api/tasks/{id}/reassign", reassign)
    app.router.add_post("/api/drafts/{id}/submit", submit)
    app.router.add_post("/api/drafts/{id}/override", override)
