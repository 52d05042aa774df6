"""Security headers on every response the service sends (console, API, callbacks, sandbox).

Added when a response is prepared (``on_response_prepare``) rather than by a middleware, so
404s, redirects and errors raised as exceptions carry them too. The console has no inline
script; its stylesheet and a few ``style=`` attributes are inline, so styles allow
'unsafe-inline' (scripts never do). The sandbox timeline shows fake platform content: its
images come from the sandbox's own public URL, which may be another host than the browser's."""

from __future__ import annotations

from aiohttp import web

_COMMON = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CSP = _COMMON + "; img-src 'self' data:"
SANDBOX_CSP = _COMMON + "; img-src 'self' data: http: https:"
#: the signed preview (``bot.web.preview``): no script, its own images only, and no Referer, since
#: its token is in the address
PREVIEW_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SERVER = "newmedia"

FIXED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the
    # console's own form posts, and sign-in checks the Origin
    "Referrer-Policy": "same-origin",
    "Server": SERVER,
}


def csp_for(path: str) -> str:
    return SANDBOX_CSP if path == "/sandbox" or path.startswith("/sandbox/") else CSP


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(FIXED)
    response.headers["Content-Security-Policy"] = csp_for(request.path)
    if request.path.startswith("/preview/"):
        response.headers["Content-Security-Policy"] = PREVIEW_CSP
        response.headers["Referrer-Policy"] = "no-referrer"


def setup(app: web.Application) -> None:
    app.on_response_prepare.append(add_headers)
