"""The list of HTTP route modules. Each area adds its own line here."""

from __future__ import annotations

from aiohttp import web


def setup_all(app: web.Application) -> None:
    from bot import routes_api, routes_health

    routes_health.setup(app)
    routes_api.setup(app)
    from bot import routes_review

    routes_review.setup(app)
    from bot import web as console

    console.setup(app)
    from bot import routes_wechat

    routes_wechat.setup(app)
    from bot import routes_wecom

    routes_wecom.setup(app)
    from bot import routes_publications, routes_sandbox

    routes_publications.setup(app)
    routes_sandbox.setup(app)
