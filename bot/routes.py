"""Every HTTP route module, registered in one place."""

from __future__ import annotations

from aiohttp import web


def setup_all(app: web.Application) -> None:
    from bot import (
        routes_api,
        routes_health,
        routes_publications,
        routes_review,
        routes_sandbox,
        routes_wechat,
        routes_wecom,
        web_inbox,
    )
    from bot import web as console

    routes_health.setup(app)
    routes_api.setup(app)
    routes_review.setup(app)
    routes_publications.setup(app)
    routes_wechat.setup(app)
    routes_wecom.setup(app)
    routes_sandbox.setup(app)
    console.setup(app)
    web_inbox.setup(app)
