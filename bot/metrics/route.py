"""``GET /metrics``: Prometheus text format, for the addresses in ``[metrics] allow_from`` only.

The address is the one the console believes (bot/web/client.py): the peer, or behind
``[service] trusted_proxies`` the nearest untrusted hop of X-Forwarded-For, so a client cannot
write itself into the allowlist and a proxy in front does not let everyone in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web
from prometheus_client import generate_latest

from bot import keys
from bot.metrics.collectors import ServiceCollector
from bot.metrics.database import CachedSnapshot
from bot.metrics.registry import install
from bot.web import client

SNAPSHOT = web.AppKey("metrics_snapshot", CachedSnapshot)
#: the classic text format every Prometheus reads (``generate_latest`` writes it)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
REFUSED = "无权读取监控指标：仅限 [metrics] allow_from 中的地址"


async def metrics(request: web.Request) -> web.Response:
    app = request.app
    if not client.within(client.address(request), app[keys.SETTINGS].file.metrics.allow_from):
        return web.Response(status=403, text=REFUSED, content_type="text/plain", charset="utf-8")
    await app[SNAPSHOT].refresh()
    body = generate_latest(install(app).registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


async def _collector(app: web.Application) -> AsyncIterator[None]:
    """Once the database and the services are up: the snapshot reads through them."""
    settings = app[keys.SETTINGS].file.metrics
    snapshot = CachedSnapshot(
        app[keys.SESSIONS],
        lambda: app[keys.SERVICES].clock(),
        max_age=settings.cache_seconds,
        closing_within=timedelta(hours=settings.window_closing_hours),
    )
    app[SNAPSHOT] = snapshot
    registry = install(app).registry
    collector = ServiceCollector(app, snapshot)
    registry.register(collector)
    yield
    registry.unregister(collector)


def setup(app: web.Application) -> None:
    install(app)
    if not app[keys.SETTINGS].file.metrics.enabled:
        return
    app.cleanup_ctx.append(_collector)
    app.router.add_get("/metrics", metrics)
