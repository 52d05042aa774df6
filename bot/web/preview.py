"""The preview pages: ``/preview/{token}`` for the link chat hands out (WeCom opens it in its
own browser, with no console sign-in: the signed token is the permission) and
``/console/drafts/{id}/preview`` for a signed-in reader of the draft.

A forged or altered token gets 403 and an expired one 410, each with a page in Chinese that
names no secret. Images come only from the revision's own cover and body images, by index,
read through the publisher's loader (the media folder, checked as images), never by a path the
request names.
"""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.preview.links import LinkRefused
from bot.preview.service import Previews
from bot.web.api_common import path_id, services
from bot.web.auth import console_page, csrf_token, flash
from channels.base import Rejected
from review import drafts, read_scope
from review.models import Person
from review.timefmt import fmt
from review.views import draft_view

#: a capability in the address: not kept by caches, not sent on as a Referer
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _refused(request: web.Request, exc: LinkRefused) -> web.Response:
    status = 410 if exc.expired else 403
    response = aiohttp_jinja2.render_template(
        "preview_refused.html", request, {"message": exc.message}, status=status
    )
    response.headers.update(PRIVATE)
    return response


async def page(request: web.Request) -> web.Response:
    previews = Previews(services(request))
    token = request.match_info["token"]
    try:
        grant = previews.verify(token)
        async with services(request).sessions.begin() as s:
            revision, account = await previews.for_grant(s, grant)
            shown = await previews.show(s, revision, account, grant.viewer_id, token=token)
    except LinkRefused as exc:
        return _refused(request, exc)
    ctx = {"s": shown, "expires": fmt(grant.expires_at)}
    response = aiohttp_jinja2.render_template("preview.html", request, ctx)
    response.headers.update(PRIVATE)
    return response


async def media(request: web.Request) -> web.Response:
    previews = Previews(services(request))
    try:
        grant = previews.verify(request.match_info["token"])
        async with services(request).sessions() as s:
            revision, account = await previews.for_grant(s, grant)
        content, content_type = await previews.image(
            revision, account, int(request.match_info["index"])
        )
    except LinkRefused as exc:
        return _refused(request, exc)
    except (IndexError, ValueError, Rejected):
        raise web.HTTPNotFound(text="图片不存在") from None
    return web.Response(body=content, content_type=content_type, headers=PRIVATE)


@console_page
async def console_preview(
    request: web.Request, session: AsyncSession, person: Person
) -> web.Response:
    """Every target account's preview of the draft's current revision, compared with the
    revision this person saw last."""
    draft_id = path_id(request)
    await read_scope.draft(session, person, draft_id)  # else 404, as if missing
    draft, rev = await drafts.load(session, draft_id)
    view = await draft_view(session, draft, rev, full=False)
    shown = await Previews(services(request)).for_draft(session, rev, person.id)
    ctx = {"d": view, "shown": shown, "me": person, "csrf": await csrf_token(request)}
    ctx["flash"] = flash(request)
    return aiohttp_jinja2.render_template("console_preview.html", request, ctx)


def setup(app: web.Application) -> None:
    app.router.add_get("/preview/{token}", page)
    app.router.add_get("/preview/{token}/media/{index:\\d{1,3}}", media)
    app.router.add_get("/console/drafts/{id:\\d+}/preview", console_preview)
