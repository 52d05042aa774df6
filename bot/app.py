"""``create_app(settings)``: the composition root. Resources live in ``cleanup_ctx``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from bot import keys
from bot.settings_load import Settings
from bot.workers import WORKER, Worker
from review.db import create_engine, is_sqlite, session_factory
from review.store.directory import sync_directory

log = logging.getLogger("newmedia.app")

Ctx = Callable[[web.Application], AsyncIterator[None]]


async def _database(app: web.Application) -> AsyncIterator[None]:
    from bot import migrate

    settings = app[keys.SETTINGS]
    if app.get(_AUTO_UPGRADE, True) and is_sqlite(settings.database_url):
        await migrate.upgrade(settings.database_url)
    else:
        await migrate.require_current(settings.database_url)
    engine = create_engine(settings.database_url, pool_size=settings.file.database.pool_size)
    app[keys.ENGINE] = engine
    app[keys.SESSIONS] = session_factory(engine)
    async with app[keys.SESSIONS].begin() as session:
        await sync_directory(
            session,
            settings.departments.values(),
            settings.people.values(),
            settings.accounts.values(),
        )
    yield
    await engine.dispose()


async def _http(app: web.Application) -> AsyncIterator[None]:
    session = ClientSession(timeout=ClientTimeout(total=15, connect=5))
    app[keys.HTTP] = session
    yield
    await session.close()


async def _background(app: web.Application) -> AsyncIterator[None]:
    tasks: set[Any] = set()
    app[keys.BACKGROUND] = tasks
    yield
    pending = list(tasks)
    if pending:
        log.info("waiting for %d background task(s)", len(pending))
        await asyncio.wait(pending, timeout=8)


async def _jobs(app: web.Application) -> AsyncIterator[None]:
    from bot import jobs

    if not app.get(_RUN_JOBS, True):
        yield
        return
    running = jobs.start(app, jobs.all_ticks(app))
    app[keys.JOBS] = running
    yield
    await jobs.stop(running)


API_MAX_BODY = 1024 * 1024
_RUN_JOBS = web.AppKey("run_jobs", bool)
_AUTO_UPGRADE = web.AppKey("auto_upgrade", bool)


def spawn(app: web.Application, coro: Any) -> None:
    """Run slow work after the response; kept referenced and awaited on shutdown."""
    task = asyncio.get_running_loop().create_task(coro)
    app[keys.BACKGROUND].add(task)
    task.add_done_callback(app[keys.BACKGROUND].discard)


@web.middleware
async def errors_middleware(
    request: web.Request, handler: Callable[[web.Request], Any]
) -> web.StreamResponse:
    """Never a stack trace to a client: unexpected errors become a JSON 500 and a log line."""
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except web.HTTPException:
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response({"error": "internal", "message": "服务器内部错误"}, status=500)


def create_app(
    settings: Settings,
    *,
    channels: dict[str, Any] | None = None,
    run_jobs: bool = True,
    auto_upgrade: bool = True,
    extra_ctx: list[Ctx] | None = None,
    worker: Worker | None = None,
) -> web.Application:
    """``worker``: this process's place under ``newmedia serve --workers N`` (a secondary runs
    no ticks and leaves the schema to the primary)."""
    from bot import routes, wiring

    worker = worker or Worker()

    app = web.Application(
        # drafts may be up to 20,000 characters; callbacks enforce their own 64 KiB limit
        client_max_size=API_MAX_BODY,
        middlewares=[errors_middleware],
    )
    app[keys.SETTINGS] = settings
    app[WORKER] = worker
    app[_RUN_JOBS] = run_jobs and worker.background
    app[_AUTO_UPGRADE] = auto_upgrade and worker.background
    app.cleanup_ctx.extend([_http, _database, _background])
    app.cleanup_ctx.extend(wiring.contexts(app, channels))
    app.cleanup_ctx.extend(extra_ctx or [])
    app.cleanup_ctx.append(_jobs)
    routes.setup_all(app)
    return app
