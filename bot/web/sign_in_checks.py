"""What a console sign-in must pass before a token is even compared: it comes from the service's
own page (Origin, and a CSRF token bound to a pre-session cookie: no login CSRF), and neither
its address nor the person its token names has failed too often lately. The per-address limit
(``address_wait``) is also the API's: a wrong bearer token counts against it (``api_auth``).

Failures are counted in the database (``sign_in_attempts``), so replicas share the limit; two
attempts racing may both pass one failure short of it. Wrong tokens name nobody (they are
random), so the per-address limit is what stops guessing; the per-person one catches tokens of
people who may no longer sign in. Every attempt goes into the audit log, never its token."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession
from yarl import URL

from bot import keys
from bot.web import client, sessions
from review.models import Person
from review.store import api_tokens, audit, sign_in_attempts

LOGIN_COOKIE = "nmb_login"


def _origin(url: str) -> str | None:
    try:
        parsed = URL(url)
    except ValueError:
        return None
    if not parsed.scheme or not parsed.host:
        return None
    return f"{parsed.scheme.lower()}://{parsed.host.lower()}:{parsed.port}"


def own_origin(request: web.Request) -> str:
    return request.app[keys.SETTINGS].file.service.public_url.rstrip("/")


def same_origin(request: web.Request) -> bool:
    """The post names ``[service] public_url``'s origin in Origin (else Referer). A browser
    sends one of them on every form post, so a post with neither is refused as well."""
    sent = request.headers.get("Origin") or request.headers.get("Referer") or ""
    found = _origin(sent)
    return found is not None and found == _origin(own_origin(request))


def login_cookie(request: web.Request) -> tuple[str, bool]:
    """The pre-session cookie's value, and whether it is new (to be set on the response)."""
    found = request.cookies.get(LOGIN_COOKIE, "")
    if 20 <= len(found) <= 100:
        return found, False
    return secrets.token_urlsafe(24), True


def login_csrf(request: web.Request, cookie: str) -> str:
    return sessions.sign(request, "login", cookie)


def login_csrf_ok(request: web.Request, cookie: str, sent: str) -> bool:
    return bool(sent) and secrets.compare_digest(sent, login_csrf(request, cookie))


def set_login_cookie(request: web.Request, response: web.StreamResponse, cookie: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        cookie,
        path="/console/login",
        httponly=True,
        samesite="Strict",
        secure=client.is_secure(request),
    )


@dataclass(frozen=True)
class Verdict:
    #: signed in (None otherwise)
    person: Person | None
    #: ok | bad_token | inactive | limited
    result: str
    #: seconds until a limited address or person may try again
    retry_after: int = 0


def _wait(failed: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than ``limit`` failures are left in the window (0: not limited)."""
    if len(failed) < limit:
        return 0
    expires = failed[len(failed) - limit] + window
    return max(1, math.ceil((expires - now).total_seconds()))


def window(request: web.Request) -> timedelta:
    return timedelta(minutes=request.app[keys.SETTINGS].file.console.failure_window_minutes)


async def address_failures(
    session: AsyncSession, request: web.Request, now: datetime
) -> list[datetime]:
    """This request's address's failures in the window: console sign-ins and API tokens alike."""
    return await sign_in_attempts.failures(
        session, now - window(request), address=client.address(request)
    )


async def address_wait(session: AsyncSession, request: web.Request, now: datetime) -> int:
    """The one per-address limit (``[console] failures_per_address`` in the window), shared by
    console sign-in and API bearer tokens: seconds until the address may try again (0: now)."""
    limit = request.app[keys.SETTINGS].file.console.failures_per_address
    return _wait(await address_failures(session, request, now), limit, window(request), now)


async def record_refusal(session: AsyncSession, request: web.Request, result: str) -> None:
    """A post refused before its token was looked at (origin, csrf): audited all the same."""
    await audit.append(
        session,
        actor="anonymous",
        action="console.sign_in",
        subject_type="console",
        subject_id="sign_in",
        detail={"result": result, "address": client.address(request)},
    )


async def attempt(
    session: AsyncSession, request: web.Request, token: str, now: datetime
) -> Verdict:
    """Limits first (a limited address learns nothing, not even of a right token), then the
    token; the attempt is recorded and audited in the caller's transaction."""
    console = request.app[keys.SETTINGS].file.console
    since, address = now - window(request), client.address(request)
    found = await api_tokens.holder(session, token)
    wait = await address_wait(session, request, now)
    if found is not None:
        mine = await sign_in_attempts.failures(session, since, person_key=found.key)
        wait = max(wait, _wait(mine, console.failures_per_person, window(request), now))
    if wait:
        verdict = Verdict(None, "limited", wait)
    elif found is not None and found.active:
        verdict = Verdict(found, "ok")
    else:
        verdict = Verdict(None, "inactive" if found is not None else "bad_token")
    if not wait:
        await sign_in_attempts.record(
            session,
            at=now,
            address=address,
            person_key=found.key if found is not None else None,
            succeeded=verdict.person is not None,
        )
        await sign_in_attempts.prune(session, since)
    await audit.append(
        session,
        actor=found.key if found is not None else "anonymous",
        action="console.sign_in",
        subject_type="person" if found is not None else "console",
        subject_id=found.key if found is not None else "sign_in",
        detail={"result": verdict.result, "address": address},
    )
    return verdict
