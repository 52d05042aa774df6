"""The console's guard: a page runs only for a live server-side session (``bot.web.sessions``)
and a form post only with the session's CSRF token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web import console_forms, sessions
from bot.web.api_common import services
from bot.web.sessions import flash, notice
from review.errors import DomainError
from review.models import Person

__all__ = ["console_action", "console_page", "csrf_token", "flash", "notice"]

Page = Callable[[web.Request, AsyncSession, Person], Awaitable[web.StreamResponse]]
Action = Callable[[web.Request, Person], Awaitable[web.StreamResponse]]


async def csrf_token(request: web.Request) -> str:
    """The token this session's forms carry (empty when signed out)."""
    return sessions.csrf_for(request)


def _domain_page(exc: DomainError) -> web.HTTPException:
    kind = {404: web.HTTPNotFound, 403: web.HTTPForbidden, 409: web.HTTPConflict}
    cls = kind.get(exc.http_status, web.HTTPBadRequest)
    return cls(text=exc.message, content_type="text/plain")


async def _check_request(request: web.Request) -> None:
    """A cookie is needed to go on; a POST must carry the CSRF token (before any database)."""
    if sessions.cookie_id(request) is None:
        raise sessions.to_login()
    if request.method == "POST":
        if console_forms.takes_upload(request):  # streamed: a cover may exceed 1 MiB
            sent = (await console_forms.posted(request)).fields.get("csrf", "")
        else:
            sent = str((await request.post()).get("csrf", ""))
        if not sessions.csrf_ok(request, sent):
            raise web.HTTPForbidden(text="表单已过期，请刷新页面后重试（CSRF）")


def console_action(handler: Action) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Like ``console_page`` but holds no transaction while the handler runs: for actions that
    call a platform (answering a citizen), which manage their own short transactions."""

    @wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        await _check_request(request)
        async with services(request).sessions.begin() as session:
            person = await sessions.resume(request, session)
        if person is None:
            raise sessions.to_login()
        try:
            return await handler(request, person)
        except DomainError as exc:
            raise _domain_page(exc) from None

    return wrapped


def console_page(handler: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Resolve the signed-in person and run the handler in one transaction (committed also
    when it answers with a redirect: a redirect after a POST is a success)."""

    @wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        await _check_request(request)
        redirect: web.HTTPRedirection | None = None
        try:
            async with services(request).sessions.begin() as session:
                person = await sessions.resume(request, session)
                if person is None:
                    redirect = sessions.to_login()  # after the commit: an ended session stays so
                else:
                    try:
                        return await handler(request, session, person)
                    except web.HTTPRedirection as exc:
                        redirect = exc
        except DomainError as exc:
            raise _domain_page(exc) from None
        assert redirect is not None
        raise redirect

    return wrapped
