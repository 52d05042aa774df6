"""``/healthz``: the database and the scheduler, as a load balancer or an operator sees them."""

from __future__ import annotations

import os
import time

from aiohttp import web
from sqlalchemy import text

from bot import keys
from bot.web.api_common import services
from bot.workers import worker_of
from review.checks.bureau_lists import installed_problems


async def healthz(request: web.Request) -> web.Response:
    app, svc = request.app, services(request)
    started = time.perf_counter()
    db: dict[str, object]
    try:
        async with svc.sessions() as session:
            await session.execute(text("SELECT 1"))
        db = {"ok": True, "backend": app[keys.ENGINE].dialect.name}
    except Exception as exc:  # report, never crash the probe
        db = {"ok": False, "error": type(exc).__name__}
    db["ms"] = round((time.perf_counter() - started) * 1000, 1)
    jobs = app.get(keys.JOBS)
    scheduler = jobs.state() if jobs is not None else {"running": False, "ticks": {}}
    ok = bool(db["ok"])
    worker = worker_of(app)
    body = {
        "ok": ok,
        "database": db,
        "scheduler": scheduler,
        "demo": svc.settings.demo,
        "worker": {"role": worker.role, "of": worker.count, "pid": os.getpid()},
        # an edit of the bureau's word lists that was refused (the last good lists still apply);
        # the files are looked at here too (once per [lists] check_seconds), not only by drafts
        "lists": {"problems": installed_problems()},
    }
    return web.json_response(body, status=200 if ok else 503)


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
