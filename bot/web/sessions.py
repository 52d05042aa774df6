"""The console's server-side sessions as the browser sees them: a cookie holding a random id,
looked up in ``console_sessions`` on every page, ended by sign-out, a reissued or revoked token
(``newmedia token issue|revoke``), ``[console] idle_minutes`` and ``absolute_hours``.

Forms carry a CSRF token derived from the session id with the service's secret key, so it is
checked before the database is touched and changes with every sign-in. Notices for the next
page live in the session row (never in the URL, which anyone can craft)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keys
from bot.web import client
from review.models import Person
from review.store import console_sessions

COOKIE = "nmb_console"
_ROW = "nmb.console_row"
_FLASH = "nmb.console_flash"


def _secret(request: web.Request) -> bytes:
    return request.app[keys.SETTINGS].secret_key.encode()


def sign(request: web.Request, purpose: str, value: str) -> str:
    """An HMAC of ``value`` under the service's secret key, per purpose."""
    return hmac.new(_secret(request), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def cookie_id(request: web.Request) -> str | None:
    found = request.cookies.get(COOKIE, "")
    return found if 20 <= len(found) <= 100 else None


def csrf_for(request: web.Request) -> str:
    session_id = cookie_id(request)
    return sign(request, "csrf", session_id) if session_id else ""


def csrf_ok(request: web.Request, sent: str) -> bool:
    expected = csrf_for(request)
    return bool(sent and expected) and hmac.compare_digest(sent, expected)


def set_cookie(request: web.Request, response: web.StreamResponse, session_id: str) -> None:
    console = request.app[keys.SETTINGS].file.console
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(console.absolute_hours * 3600),
        path="/",
        httponly=True,
        samesite="Strict",
        secure=client.is_secure(request),
    )


def to_login() -> web.HTTPSeeOther:
    """Back to the sign-in page, forgetting a cookie that no longer opens a session."""
    exc = web.HTTPSeeOther("/console/login")
    exc.del_cookie(COOKIE, path="/")
    return exc


async def resume(request: web.Request, session: AsyncSession) -> Person | None:
    """The signed-in person, or None when the cookie opens no live session. Marks the session
    seen; on a GET takes its notice (shown once)."""
    session_id = cookie_id(request)
    if session_id is None:
        return None
    row = await console_sessions.find(session, session_id)
    if row is None:
        return None
    svc = request.app[keys.SERVICES]
    console, now = svc.settings.file.console, svc.clock()
    idle = now - row.last_seen_at > timedelta(minutes=console.idle_minutes)
    if idle or now - row.created_at > timedelta(hours=console.absolute_hours):
        return None
    person = await session.get(Person, row.person_id)
    if person is None or not person.active:
        row.revoked_at = now
        return None
    row.last_seen_at = now
    request[_ROW] = row.id
    if request.method == "GET" and row.flash:
        request[_FLASH], row.flash = row.flash, None
    await session.flush()
    return person


async def notice(session: AsyncSession, request: web.Request, text: str) -> None:
    """Show ``text`` on the next page this browser opens (after a redirect)."""
    row_id = request.get(_ROW)
    if row_id is not None:
        await console_sessions.set_flash(session, int(row_id), text)


def flash(request: web.Request) -> str | None:
    """This page's notice, taken from the session by ``resume``."""
    found = request.get(_FLASH)
    return str(found) if found else None
