"""API bearer tokens: who a request's token names, and what a wrong one costs its address.

A wrong token counts as a failed sign-in of its address — the same counter and the same limit
as the console's (``sign_in_checks.address_wait``, ``[console] failures_per_address``), so
guessing tokens on the API is no cheaper than on the sign-in page. While the address is limited
it gets 429 with Retry-After and nothing is counted (a flood does not push its own lock-out
further). The failure is recorded after the handler's transaction has rolled back
(``middleware``), in a short transaction of its own; each is one warning line (never the token),
and the audit log gets one row when an address reaches the limit — not one per request.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keys
from bot.web import client, sign_in_checks
from review.models import Person
from review.store import audit, directory, sign_in_attempts

log = logging.getLogger("newmedia.api")

UNAUTHORIZED = "API 令牌无效或缺失（Authorization: Bearer …）"


class TokenRefused(Exception):
    """No person for this request: ``retry_after`` > 0 when its address is limited,
    ``counted`` when a token was sent (a wrong guess, not a missing header)."""

    def __init__(self, *, retry_after: int = 0, counted: bool = False) -> None:
        super().__init__("token refused")
        self.retry_after = retry_after
        self.counted = counted


def bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def person_for(request: web.Request, session: AsyncSession) -> Person:
    """The active person the token names; the address's limit first (a limited address learns
    nothing, not even of a right token). Raises ``TokenRefused``, answered by ``middleware``."""
    token = bearer(request)
    if token:
        now = request.app[keys.SERVICES].clock()
        wait = await sign_in_checks.address_wait(session, request, now)
        if wait:
            raise TokenRefused(retry_after=wait)
    person = await directory.person_by_token(session, token)
    if person is None:
        raise TokenRefused(counted=bool(token))
    return person


async def _count_failure(request: web.Request) -> None:
    """Record the failure for the address; audit once, when it reaches the limit."""
    svc = request.app[keys.SERVICES]
    now, address = svc.clock(), client.address(request)
    limit = svc.settings.file.console.failures_per_address
    async with svc.sessions.begin() as session:
        await sign_in_attempts.record(
            session, at=now, address=address, person_key=None, succeeded=False
        )
        await sign_in_attempts.prune(session, now - sign_in_checks.window(request))
        failed = len(await sign_in_checks.address_failures(session, request, now))
        if failed == limit:
            await audit.append(
                session,
                actor="anonymous",
                action="api.sign_in",
                subject_type="api",
                subject_id="bearer",
                detail={"result": "limited", "address": address, "failures": failed},
            )
    log.warning(
        "api token refused on %s %s (%d of %d failures allowed from its address)",
        request.method,
        request.path,
        failed,
        limit,
    )


def _json(status: int, code: str, message: str, headers: dict[str, str]) -> web.Response:
    body = json.dumps({"error": code, "message": message}, ensure_ascii=False)
    return web.Response(status=status, text=body, content_type="application/json", headers=headers)


@web.middleware
async def middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Answer ``TokenRefused``: 429 (limited) or 401, the failure counted outside the handler's
    (rolled-back) transaction."""
    try:
        return await handler(request)
    except TokenRefused as exc:
        if exc.retry_after:
            log.warning("api token refused on %s %s: address limited", request.method, request.path)
            minutes = -(-exc.retry_after // 60)
            return _json(
                429,
                "too_many_failures",
                f"该地址令牌错误次数过多，请 {minutes} 分钟后再试",
                {"Retry-After": str(exc.retry_after)},
            )
        if exc.counted:
            await _count_failure(request)
        return _json(401, "unauthorized", UNAUTHORIZED, {"WWW-Authenticate": "Bearer"})
