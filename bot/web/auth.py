"""Console sessions: sign in with a personal API token, an encrypted cookie, CSRF on every form."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from functools import wraps

from aiohttp import web
from aiohttp_session import get_session, new_session
from aiohttp_session import setup as session_setup
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.api_common import services
from review.errors import DomainError
from review.models import Person
from review.store import directory

Page = Callable[[web.Request, AsyncSession, Person], Awaitable[web.StreamResponse]]


def setup_sessions(app: web.Application, secret_key: str) -> None:
    key = hashlib.sha256(secret_key.encode()).digest()  # 32 raw bytes: the Fernet key
    storage = EncryptedCookieStorage(
        key, cookie_name="nmb_console", httponly=True, samesite="Strict", max_age=8 * 3600
    )
    session_setup(app, storage)


async def sign_in(request: web.Request, token: str) -> Person | None:
    async with services(request).sessions() as session:
        person = await directory.person_by_token(session, token.strip())
    if person is None:
        return None
    sess = await new_session(request)
    sess["person"] = person.key
    sess["csrf"] = secrets.token_urlsafe(24)
    return person


async def sign_out(request: web.Request) -> None:
    sess = await get_session(request)
    sess.invalidate()


async def csrf_token(request: web.Request) -> str:
    sess = await get_session(request)
    return str(sess.get("csrf", ""))


def _domain_page(exc: DomainError) -> web.HTTPException:
    kind = {404: web.HTTPNotFound, 403: web.HTTPForbidden, 409: web.HTTPConflict}
    cls = kind.get(exc.http_status, web.HTTPBadRequest)
    return cls(text=exc.message, content_type="text/plain")


Action = Callable[[web.Request, Person], Awaitable[web.StreamResponse]]


async def _signed_in_key(request: web.Request) -> str:
    """The session's person key (else to the login page); a POST must carry the CSRF token."""
    sess = await get_session(request)
    key = sess.get("person")
    if not key:
        raise web.HTTPSeeOther("/console/login")
    if request.method == "POST":
        form = await request.post()
        sent = str(form.get("csrf", ""))
        if not sent or not hmac.compare_digest(sent, str(sess.get("csrf", ""))):
            raise web.HTTPForbidden(text="表单已过期，请刷新页面后重试（CSRF）")
    return str(key)


async def _active(request: web.Request, person: Person | None) -> Person:
    if person is None or not person.active:
        (await get_session(request)).invalidate()
        raise web.HTTPSeeOther("/console/login")
    return person


def console_action(handler: Action) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Like ``console_page`` but holds no transaction while the handler runs: for actions that
    call a platform (answering a citizen), which manage their own short transactions."""

    @wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        key = await _signed_in_key(request)
        async with services(request).sessions() as session:
            person = await _active(request, await directory.person_by_key(session, key))
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
        key = await _signed_in_key(request)
        redirect: web.HTTPRedirection | None = None
        try:
            async with services(request).sessions.begin() as session:
                person = await _active(request, await directory.person_by_key(session, key))
                try:
                    return await handler(request, session, person)
                except web.HTTPRedirection as exc:
                    redirect = exc
        except DomainError as exc:
            raise _domain_page(exc) from None
        assert redirect is not None
        raise redirect

    return wrapped
