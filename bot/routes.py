"""The list of HTTP route modules. Each area adds its own line here."""

from __future__ import annotations

from aiohttp import web


def setup_all(app: web.Application) -> None:
    from bot import routes_api, routes_health

    routes_health.setup(app)
    routes_api.setup(app)
