"""``/api/publications``: list publications; cancel a scheduled one (its account's owner
department); retract a published one (authorised reviewers).

Both follow the draft's read scope (``review.read_scope``): a publication of a draft the caller
may not read is absent from the list and a 404 to retract."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.publishing import service as publishing_service
from bot.web.api_common import api, current_person, error, json_body, path_id, services
from review import read_scope, schedule_changes
from review.errors import DomainError, ValidationFailed
from review.models import Person, Publication
from review.states import PUBLICATION_LABELS, PublicationStatus
from review.store import publications as store


def view(pub: Publication, account_key: str, title: str) -> dict[str, Any]:
    return {
        "id": pub.id,
        "draft_id": pub.draft_id,
        "account": account_key,
        "title": title,
        "status": pub.status,
        "status_label": PUBLICATION_LABELS.get(PublicationStatus(pub.status), pub.status),
        "due_at": pub.due_at.isoformat(),
        "attempts": pub.attempts,
        "last_error": pub.last_error,
        "remote_id": pub.remote_id,
        "url": pub.url,
        "published_at": pub.published_at.isoformat() if pub.published_at else None,
        "late_seconds": pub.late_seconds,
        "retracted_at": pub.retracted_at.isoformat() if pub.retracted_at else None,
        "retract_reason": pub.retract_reason,
    }


@api
async def list_publications(
    request: web.Request, session: AsyncSession, person: Person
) -> web.Response:
    status = request.query.get("state") or None
    if status and status not in PublicationStatus.__members__.values():
        raise ValidationFailed(f"未知的发布状态「{status}」", field="state")
    rows = await store.listing(
        session, status=status, scope=read_scope.scope_for(person), limit=500
    )
    return web.json_response({"publications": [view(*row) for row in rows]})


@api
async def cancel(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """Stop a scheduled publication before the publisher takes it (409 once it has)."""
    publication_id = path_id(request)
    await read_scope.publication(session, person, publication_id)  # else 404
    message = await schedule_changes.cancel_publication(session, publication_id, person)
    return web.json_response({"message": message, "publication_id": publication_id})


async def retract(request: web.Request) -> web.Response:
    """Authenticate in a short transaction; the platform call runs outside any transaction."""
    try:
        publication_id = path_id(request)
    except ValidationFailed as exc:
        return error(422, "invalid", exc.message, "id")
    try:
        async with services(request).sessions.begin() as session:
            person = await current_person(request, session)
            await read_scope.publication(session, person, publication_id)  # else 404
        body = await json_body(request)
        reason = str(body.get("reason") or "")
        message = await publishing_service.retract(
            services(request), publication_id, person.key, reason
        )
    except DomainError as exc:
        return error(exc.http_status, exc.code, exc.message, exc.field)
    return web.json_response({"message": message, "publication_id": publication_id})


def setup(app: web.Application) -> None:
    app.router.add_get("/api/publications", list_publications)
    app.router.add_post("/api/publications/{id}/retract", retract)
    app.router.add_post("/api/publications/{id}/cancel", cancel)
