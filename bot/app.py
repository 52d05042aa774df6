"""``create_app(settings)``: the composition root. Resources live in ``cleanup_ctx``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

from aiohttp import ClientSession, ClientTimeout, web

from bot import jobs, keys, migrate, server
from bot.chat import notifier, wecom_callback
from bot.chat import ticks as chat_ticks
from bot.clocks import ticks as clock_ticks
from bot.config.lists import check_lists, gate_lists
from bot.config.load import Settings
from bot.inbox import callback as wechat_callback
from bot.inbox import comment_ticks as inbox_comment_ticks
from bot.inbox import ticks as inbox_ticks
from bot.metrics import route as metrics_route
from bot.platforms import stats as platform_stats
from bot.publishing import platform_sync as platform_sync_ticks
from bot.publishing import ticks as publishing_ticks
from bot.publishing import wakeup as publishing_wakeup
from bot.publishing import wiring as publishing_wiring
from bot.queue import ticks as queue_ticks
from bot.sandbox import routes as sandbox_routes
from bot.sandbox import wiring as sandbox_wiring
from bot.services import Services
from bot.shutdown import SHUTDOWN
from bot.web import (
    api_auth,
    api_drafts,
    api_media,
    api_publications,
    api_tasks,
    console,
    console_accounts,
    console_calendar,
    console_draft_page,
    console_drafts,
    console_edit,
    console_inbox,
    console_inbox_actions,
    console_publications,
    console_queue,
    console_wordings,
    error_pages,
    headers,
    health,
    preview,
    request_ids,
    sign_in,
)
from bot.wordings import ticks as wording_ticks
from bot.workers import WORKER, Worker
from review.db import create_engine, is_sqlite, session_factory
from review.notify import Deliverer, LogDeliverer
from review.publishing.engine import worker_name

log = logging.getLogger("newmedia.app")

Ctx = Callable[[web.Application], AsyncIterator[None]]


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    if app.get(_AUTO_UPGRADE, True) and is_sqlite(settings.database_url):
        await migrate.upgrade(settings.database_url)
    else:
        await migrate.require_current(settings.database_url)
    engine = create_engine(settings.database_url, pool_size=settings.file.database.pool_size)
    app[keys.ENGINE] = engine
    app[keys.SESSIONS] = session_factory(engine)
    await migrate.mirror_directory(app[keys.SESSIONS], settings)
    yield
    await engine.dispose()


async def _http(app: web.Application) -> AsyncIterator[None]:
    session = ClientSession(timeout=ClientTimeout(total=15, connect=5))
    app[keys.HTTP] = session
    yield
    await session.close()


async def _services(app: web.Application) -> AsyncIterator[None]:
    """One ``Services`` for every surface, once the database, channels and notifier are up."""
    found = app.get(keys.NOTIFIER)
    services = Services(
        settings=app[keys.SETTINGS],
        sessions=app[keys.SESSIONS],
        channels=app[keys.CHANNELS],
        notifier=LogDeliverer() if found is None else cast(Deliverer, found),
    )
    app[keys.SERVICES] = services
    yield
    # the publisher's calls in flight and the slow work after responses finish side by side
    # (bot/shutdown.py ``drain``): one after the other would not fit serve's limit
    waits: list[Awaitable[Any]] = []
    pending = list(services.background)
    if pending:
        log.info("waiting for %d background task(s)", len(pending))
        waits.append(asyncio.wait(pending, timeout=SHUTDOWN.drain))
    publisher = app.get(keys.PUBLISHER)
    if publisher is not None:
        waits.append(publisher.stop(SHUTDOWN.calls, SHUTDOWN.hand_back))
    await asyncio.gather(*waits)


async def _gate_lists(app: web.Application) -> AsyncIterator[None]:
    """The gate reads the shipped lists plus the bureau's (``[lists]``) and follows their edits;
    the services' clock decides when the files are looked at again."""
    services = app[keys.SERVICES]
    with gate_lists(app[keys.SETTINGS], clock=lambda: services.clock().timestamp()):
        yield


async def _stopping(app: web.Application) -> None:
    """The moment the service is told to stop (before requests in flight are waited for): no
    tick starts and the publisher claims and sends nothing new; what runs finishes in cleanup."""
    running = app.get(keys.JOBS)
    if running is not None:
        jobs.pause(running)
    publisher = app.get(keys.PUBLISHER)
    if publisher is not None:
        publisher.halt()


def _ticks(app: web.Application) -> list[jobs.TickSpec]:
    """Every area's scheduled ticks."""
    lists = app[keys.SETTINGS].lists
    return [
        *publishing_ticks.tick_specs(app),
        *platform_sync_ticks.tick_specs(app),
        *queue_ticks.tick_specs(app),
        *inbox_ticks.tick_specs(app),
        *inbox_comment_ticks.tick_specs(app),
        *wording_ticks.tick_specs(app),
        *clock_ticks.tick_specs(app),
        *platform_stats.tick_specs(app),
        *chat_ticks.ticks(),
        *([jobs.TickSpec("lists.check", lists.check_s, check_lists)] if lists.configured else []),
    ]


def _routes(app: web.Application) -> None:
    """Every HTTP area, included explicitly. The OA callback comes before the WeCom one: chat
    hands the OA its staff-command handler."""
    health.setup(app)
    metrics_route.setup(app)
    api_drafts.setup(app)
    api_media.setup(app)
    api_tasks.setup(app)
    api_publications.setup(app)
    wechat_callback.setup(app)
    wecom_callback.setup(app)
    sandbox_routes.setup(app)
    console.setup(app)
    console_drafts.setup(app)
    console_draft_page.setup(app)
    console_queue.setup(app)
    console_edit.setup(app)
    console_calendar.setup(app)
    console_publications.setup(app)
    console_accounts.setup(app)
    console_inbox.setup(app)
    console_inbox_actions.setup(app)
    console_wordings.setup(app)
    preview.setup(app)  # after console: it uses the console's template setup
    sign_in.setup(app)


async def _jobs(app: web.Application) -> AsyncIterator[None]:
    if not app.get(_RUN_JOBS, True):
        yield
        return
    publisher = app.get(keys.PUBLISHER)
    holder = publisher.worker if publisher is not None else worker_name()
    running = jobs.start(app, _ticks(app), leases=jobs.TickLeases(app[keys.SESSIONS], holder))
    app[keys.JOBS] = running
    yield
    await jobs.stop(running)


API_MAX_BODY = 1024 * 1024
_RUN_JOBS = web.AppKey("run_jobs", bool)
_AUTO_UPGRADE = web.AppKey("auto_upgrade", bool)


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
    worker = worker or Worker()
    if not settings.secret_key or not settings.token_keys:
        # outside demo mode only ``load_settings(..., for_service=True)`` reads these: never
        # sign a console session or store a platform token under an empty key
        raise ValueError("settings were not loaded for the service (for_service=True)")

    app = web.Application(
        # drafts may be up to 20,000 characters; callbacks enforce their own 64 KiB limit
        client_max_size=API_MAX_BODY,
        # read_guard inside: a client gone mid-body is one warning line, never a 500
        # api_auth innermost: a refused API token is counted after the handler's rollback
        # error_pages: a console error is a page of the console (the API's stay JSON)
        middlewares=[
            request_ids.middleware,  # outermost: every log line of the request carries its id
            errors_middleware,
            error_pages.middleware,
            server.read_guard,
            api_auth.middleware,
        ],
    )
    app[keys.SETTINGS] = settings
    headers.setup(app)  # CSP, frame and sniffing rules, ``Server: newmedia`` on every response
    server.hide_version()  # …and on the answers aiohttp's parser gives before any signal
    app[WORKER] = worker
    app[_RUN_JOBS] = run_jobs and worker.background
    app[_AUTO_UPGRADE] = auto_upgrade and worker.background
    # order matters: sandbox before channels, channels before the notifier, all before Services
    app.cleanup_ctx.extend([_http, _database])
    app.cleanup_ctx.extend(
        [sandbox_wiring.sandbox_ctx, publishing_wiring.channels_ctx(channels), notifier.context]
    )
    app.cleanup_ctx.append(_services)
    app.cleanup_ctx.append(_gate_lists)
    app.cleanup_ctx.extend(extra_ctx or [])
    app.cleanup_ctx.append(_jobs)
    app.cleanup_ctx.append(publishing_wakeup.context(run=app[_RUN_JOBS]))  # stops first
    app.on_shutdown.append(_stopping)
    _routes(app)
    return app
