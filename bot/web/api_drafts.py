"""``/api/drafts``: the editor's JSON API (per-person API tokens)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.api_common import api, json_body, path_id, query_limit, services
from review import drafts, queue, read_scope, schedule_changes
from review.deid_drafts import mask_draft
from review.errors import ValidationFailed
from review.models import Person
from review.store import directory
from review.store import drafts as store
from review.timefmt import parse_local
from review.views import draft_view

STRING_FIELDS = (
    "title", "body", "kind", "source", "author", "digest", "cover", "publish_at", "disclosure",
)  # fmt: skip


def _draft_input(body: dict[str, Any]) -> drafts.DraftInput:
    for name in STRING_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], str):
            raise ValidationFailed(f"字段 {name} 必须是字符串", field=name)
    accounts = body.get("accounts")
    if not isinstance(accounts, list) or not all(isinstance(a, str) for a in accounts):
        raise ValidationFailed("accounts 必须是账号 key 的列表", field="accounts")
    publish_at = None
    if body.get("publish_at"):
        try:
            publish_at = parse_local(body["publish_at"])
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="publish_at") from None
    interprets = body.get("interprets")
    if interprets is not None and (isinstance(interprets, bool) or not isinstance(interprets, int)):
        raise ValidationFailed("interprets 必须是规范性文件的稿件编号（整数）", field="interprets")
    return drafts.DraftInput(
        title=body.get("title") or "",
        body=body.get("body") or "",
        accounts=accounts,
        kind=body.get("kind") or "工作动态",
        source=body.get("source"),
        author_name=body.get("author") or "",
        digest=body.get("digest") or "",
        cover_path=body.get("cover"),
        publish_at=publish_at,
        # an edit that names no time keeps the draft's; "publish_at": null or "" drops it
        clear_schedule="publish_at" in body and not body["publish_at"],
        # 公开属性; absent on an edit keeps the draft's (review.drafts.DraftInput)
        disclosure=body.get("disclosure") or None,
        interprets=interprets,
    )


@api
async def me(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    dept = await directory.department_by_id(session, person.department_id)
    return web.json_response(
        {
            "key": person.key,
            "name": person.name,
            "roles": person.roles.split(),
            "department": dept.name if dept else None,
        }
    )


@api
async def list_drafts(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    account_id = None
    if key := request.query.get("account"):
        account = await directory.account_by_key(session, key)
        if account is None:
            raise ValidationFailed(f"未知的账号「{key}」", field="account")
        account_id = account.id
    limit = query_limit(request)
    rows = await store.list_drafts(
        session,
        status=request.query.get("state"),
        account_id=account_id,
        scope=read_scope.scope_for(person),
        limit=limit,
    )
    return web.json_response([await draft_view(session, d) for d in rows])


@api
async def create_draft(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    inp = await services(request).prepare_draft(_draft_input(await json_body(request)))
    draft, rev = await drafts.create(session, person, inp)
    return web.json_response(await draft_view(session, draft, rev), status=201)


@api
async def get_draft(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    await read_scope.draft(session, person, _id(request))  # else 404, as for a missing draft
    draft, rev = await drafts.load(session, _id(request))
    return web.json_response(await draft_view(session, draft, rev, full=True))


@api
async def edit_draft(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    draft_id = _id(request)
    await read_scope.draft(session, person, draft_id)  # else 404, as for a missing draft
    body = await json_body(request)
    if "accounts" not in body:
        body["accounts"] = [a.key for a in await store.target_accounts(session, draft_id)]
    svc = services(request)
    inp = await svc.prepare_draft(_draft_input(body))
    draft, rev, restarted = await queue.edit(
        session, person, draft_id, inp, safe_domains=svc.safe_domains, limits=svc.platform_limits
    )
    view = await draft_view(session, draft, rev)
    view["review_restarted"] = restarted
    view["schedule_note"] = await drafts.edit_note(session, draft.id, rev)
    return web.json_response(view)


@api
async def reschedule(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """``{"publish_at": "2026-12-03 09:00"}``: move the draft's publish time before it goes out."""
    draft_id = _id(request)
    await read_scope.draft(session, person, draft_id)  # else 404, as for a missing draft
    when = (await json_body(request)).get("publish_at")
    if not isinstance(when, str) or not when.strip():
        raise ValidationFailed(
            "publish_at 必须是时间字符串，如 2026-12-03 09:00", field="publish_at"
        )
    try:
        at = parse_local(when)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="publish_at") from None
    message = await schedule_changes.reschedule(session, draft_id, person, at)
    draft, rev = await drafts.load(session, draft_id)
    return web.json_response({"message": message, **await draft_view(session, draft, rev)})


@api
async def cancel(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """Cancel every still-scheduled publication of the draft."""
    draft_id = _id(request)
    await read_scope.draft(session, person, draft_id)  # else 404, as for a missing draft
    message = await schedule_changes.cancel_draft(session, draft_id, person)
    draft, rev = await drafts.load(session, draft_id)
    return web.json_response({"message": message, **await draft_view(session, draft, rev)})


@api
async def mask(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """Apply the gate's de-identification (张建国 → 张*国, address to the community) as a new
    revision, like an edit; ``changes`` lists what was replaced, empty when nothing was."""
    draft_id = _id(request)
    await read_scope.draft(session, person, draft_id)  # else 404, as for a missing draft
    svc = services(request)
    out = await mask_draft(
        session, person, draft_id, safe_domains=svc.safe_domains, limits=svc.platform_limits
    )
    draft, rev = (out.draft, out.revision) if out.revision else await drafts.load(session, draft_id)
    view = await draft_view(session, draft, rev)
    view["review_restarted"] = out.review_restarted
    view["masked"] = out.revision is not None
    view["changes"] = [{"field": f, "before": a, "after": b} for f, a, b in out.changes]
    return web.json_response(view)


def _id(request: web.Request) -> int:
    return path_id(request)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/me", me)
    app.router.add_get("/api/drafts", list_drafts)
    app.router.add_post("/api/drafts", create_draft)
    app.router.add_get("/api/drafts/{id}", get_draft)
    app.router.add_put("/api/drafts/{id}", edit_draft)
    app.router.add_post("/api/drafts/{id}/mask", mask)
    app.router.add_post("/api/drafts/{id}/reschedule", reschedule)
    app.router.add_post("/api/drafts/{id}/cancel", cancel)
