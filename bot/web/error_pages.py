"""Console errors as pages of the console: a 400/403/404/405/409/413/429/500 under
``/console`` is rendered inside the layout (navigation, the person, a way back) instead of
aiohttp's bare text. The JSON API, callbacks, previews and the sandbox keep their own errors.

A middleware inside ``bot.app``'s ``errors_middleware``: that one still turns any other
unexpected error into its JSON 500."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web

from bot import keys
from bot.web import sessions
from review.models import Person

log = logging.getLogger("newmedia.web")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: status → (title, what is said when the refusal brought no message of its own)
PAGES: dict[int, tuple[str, str]] = {
    400: ("请求有误", "请求内容有误，未执行。请返回上一页检查后重试。"),
    403: ("无权访问", "你无权执行此操作。"),
    404: ("页面不存在", "页面不存在，或你无权查看。"),
    405: ("请求方式不对", "此地址不支持这种请求方式：请从页面上的链接或按钮进入。"),
    409: ("状态已变化", "操作与当前状态冲突（可能已被他人处理），请刷新后重试。"),
    413: ("内容过大", "提交的内容或上传的文件过大。"),
    429: ("请求过多", "请求过于频繁，请稍后再试。"),
    500: ("服务器出错", "服务器内部错误，已记录。请稍后重试，或联系管理员。"),
}


def is_console(request: web.Request) -> bool:
    return request.path == "/console" or request.path.startswith("/console/")


def message_of(exc: web.HTTPException) -> str:
    """The refusal's own words (the console raises them in Chinese), else the status's."""
    text = (exc.text or "").strip()
    default = PAGES.get(exc.status, PAGES[400])[1]
    if not text or text.startswith(f"{exc.status}:"):  # aiohttp's own "404: Not Found"
        return default
    return text


def back_link(request: web.Request) -> str | None:
    """The page the person came from, when it is one of ours (a path, never another site)."""
    referer = urlsplit(request.headers.get("Referer", ""))
    own = urlsplit(request.app[keys.SETTINGS].file.service.public_url)
    if not referer.path.startswith("/") or referer.netloc not in ("", own.netloc, request.host):
        return None
    back = referer.path + (f"?{referer.query}" if referer.query else "")
    return None if back == request.path_qs else back


async def _person(request: web.Request) -> Person | None:
    """Who is signed in, for the header; nobody when that cannot be told (e.g. no database)."""
    if sessions.cookie_id(request) is None:
        return None
    try:
        async with request.app[keys.SERVICES].sessions.begin() as session:
            person = await sessions.resume(request, session)
            if person is not None:
                session.expunge(person)
            return person
    except Exception:
        log.warning("error page: the signed-in person could not be read", exc_info=True)
        return None


async def render(request: web.Request, status: int, message: str) -> web.Response:
    title = PAGES.get(status, PAGES[400])[0]
    person = await _person(request)
    ctx = {
        "me": person,
        "csrf": sessions.csrf_for(request) if person is not None else "",
        "flash": sessions.flash(request),
        "status": status,
        "title": title,
        "message": message,
        "back": back_link(request),
    }
    return aiohttp_jinja2.render_template("console_error.html", request, ctx, status=status)


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not is_console(request):
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        page = await render(request, exc.status, message_of(exc))
        for name, value in exc.headers.items():
            if name.lower() not in ("content-type", "content-length"):
                page.headers.add(name, value)
        return page
    except ConnectionError:
        raise  # a client gone mid-body: server.read_guard's
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return await render(request, 500, PAGES[500][1])
