"""``POST /api/media``: upload a cover or body image; answers the path to put in a draft."""

from __future__ import annotations

from aiohttp import web

from bot.web.api_common import current_person, error, services
from bot.web.media_upload import read_upload, store
from review.errors import DomainError, Forbidden

WRITERS = ("editor", "operator", "admin")


async def upload(request: web.Request) -> web.Response:
    """Stored by content hash in the media folder (``uploads/<sha256>.png``): 201 with
    ``{"path": …}``; not an image, too large → 400 with ``field: "file"``. The token is checked
    in a short session; the body is read with no transaction open (a slow client holds none)."""
    svc = services(request)
    try:
        async with svc.sessions() as session:
            person = await current_person(request, session)
        if not any(person.has_role(role) for role in WRITERS):
            raise Forbidden(f"{person.name} 没有编辑（editor）角色，不能上传图片")
        path = await store(svc, await read_upload(request, svc.media.max_bytes))
    except DomainError as exc:
        return error(exc.http_status, exc.code, exc.message, exc.field)
    return web.json_response({"path": path}, status=201)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/media", upload)
