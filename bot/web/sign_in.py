"""``/console/login`` and ``/console/logout``: a personal API token opens a server-side console
session (``bot.web.sessions``) after the checks in ``bot.web.sign_in_checks``."""

from __future__ import annotations

import logging
from datetime import timedelta

import aiohttp_jinja2
from aiohttp import web

from bot.web import sessions
from bot.web import sign_in_checks as checks
from bot.web.api_common import services
from review.models import Person
from review.store import audit, console_sessions

log = logging.getLogger("newmedia.sign_in")

NOT_ACCEPTED = "令牌无效或已停用。请向管理员索取：newmedia token issue 你的key"
EXPIRED_FORM = "登录页已过期，请重新输入令牌后登录"
#: ended sessions are kept this long for ``newmedia token list``, then forgotten
KEEP_ENDED = timedelta(days=7)


def _page(
    request: web.Request, cookie: str, new: bool, error: str | None, status: int = 200
) -> web.Response:
    ctx = {"error": error, "csrf": checks.login_csrf(request, cookie)}
    response = aiohttp_jinja2.render_template("console_login.html", request, ctx, status=status)
    if new:
        checks.set_login_cookie(request, response, cookie)
    return response


async def login_form(request: web.Request) -> web.StreamResponse:
    cookie, new = checks.login_cookie(request)
    return _page(request, cookie, new, None)


async def login(request: web.Request) -> web.StreamResponse:
    svc = services(request)
    form = await request.post()
    if not checks.same_origin(request):
        async with svc.sessions.begin() as session:
            await checks.record_refusal(session, request, "origin")
        log.warning("console sign-in refused: posted from another origin")
        own = checks.own_origin(request)
        raise web.HTTPForbidden(
            text=f"登录请求不是从本服务的登录页发出的，已拒绝。请打开 {own}/console/login 登录。"
        )
    cookie, new = checks.login_cookie(request)
    if new or not checks.login_csrf_ok(request, cookie, str(form.get("csrf", ""))):
        async with svc.sessions.begin() as session:
            await checks.record_refusal(session, request, "csrf")
        log.warning("console sign-in refused: login form token missing or not this browser's")
        return _page(request, cookie, new, EXPIRED_FORM, status=403)
    now = svc.clock()
    session_id: str | None = None
    async with svc.sessions.begin() as session:
        verdict = await checks.attempt(session, request, str(form.get("token", "")).strip(), now)
        if verdict.person is not None:
            earlier = sessions.cookie_id(request)
            if earlier:  # a new id at every sign-in: no session fixation
                await console_sessions.revoke(session, earlier, now)
            session_id = await console_sessions.create(session, verdict.person.id, now)
            await console_sessions.prune(session, now - KEEP_ENDED)
    if verdict.retry_after:
        log.warning(
            "console sign-in limited: too many failures (retry after %ds)", verdict.retry_after
        )
        minutes = -(-verdict.retry_after // 60)
        response = _page(
            request, cookie, new, f"登录失败次数过多，请 {minutes} 分钟后再试。", status=429
        )
        response.headers["Retry-After"] = str(verdict.retry_after)
        return response
    if session_id is None:
        return _page(request, cookie, new, NOT_ACCEPTED, status=403)
    done = web.HTTPSeeOther("/console/")
    sessions.set_cookie(request, done, session_id)
    done.del_cookie(checks.LOGIN_COOKIE, path="/console/login")
    raise done


async def logout(request: web.Request) -> web.StreamResponse:
    """Ends the session in the database: the cookie, even copied, opens nothing afterwards."""
    session_id = sessions.cookie_id(request)
    if session_id is not None:
        form = await request.post()
        if not sessions.csrf_ok(request, str(form.get("csrf", ""))):
            raise web.HTTPForbidden(text="表单已过期，请刷新页面后重试（CSRF）")
        async with services(request).sessions.begin() as session:
            person_id = await console_sessions.revoke(
                session, session_id, services(request).clock()
            )
            person = await session.get(Person, person_id) if person_id is not None else None
            if person is not None:
                await audit.append(
                    session,
                    actor=person.key,
                    action="console.sign_out",
                    subject_type="person",
                    subject_id=person.key,
                )
    raise sessions.to_login()


def setup(app: web.Application) -> None:
    """The console's Jinja environment is set up by ``bot.web.console``."""
    app.router.add_get("/console/login", login_form)
    app.router.add_post("/console/login", login)
    app.router.add_post("/console/logout", logout)
