"""Demo mode: the fake platforms inside the service, reachable two ways.

* for the API clients, on their own loopback port (``127.0.0.1:0``), so a client's base URL is
  real whatever port the service itself got (tests, ``newmedia serve --port``);
* for people, mounted under ``/sandbox`` of the service: ``/sandbox/`` is the followers'-eye
  timeline, ``/sandbox/wechat|weibo|wecom/...`` the same fake APIs (one shared state).

WeChat's PUBLISHJOBFINISH / MASSSENDJOBFINISH events go back to the service's own
``/wechat/{account}`` route signed and encrypted exactly as WeChat does (``Follower``), so the
demo exercises the real callback path.

The platforms keep their state in a file beside a SQLite database (``var/newmedia.db`` →
``var/newmedia.sandbox.db``), so a demo restart does not forget posts, publish jobs in flight or
the ids already handed out; beside an in-memory or PostgreSQL database they live in memory.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from sqlalchemy.engine import make_url

from bot import keys
from bot.platforms.registry import sandbox_config, sandbox_page
from bot.sandbox.proxy import proxy_app
from bot.workers import worker_of
from channels.sandbox.app import Sandbox, create_sandbox
from channels.sandbox.back_office import back_office_routes
from channels.sandbox.follower import Follower
from channels.sandbox.timeline import timeline_routes
from review.db import is_memory_sqlite, is_sqlite, normalise_url
from review.publishing.reconciliation import on_publish_event

log = logging.getLogger("newmedia.sandbox")
PLATFORM_OPENID = "oSandboxPlatform"


@dataclass
class SandboxRuntime:
    sandbox: Sandbox
    #: base URL of the loopback API server (set once it listens)
    api_url: str | None = None
    #: where the service itself answers (for the event callbacks); defaults to public_url
    self_url: str | None = None


RUNTIME = web.AppKey("sandbox_runtime", SandboxRuntime)


def state_file(database_url: str) -> Path | None:
    """Where the demo's sandbox keeps its state: beside a SQLite database file, else nowhere."""
    if not is_sqlite(database_url) or is_memory_sqlite(database_url):
        return None
    database = Path(str(make_url(normalise_url(database_url)).database))
    return database.with_name(database.stem + ".sandbox.db")


def sandbox_api_app(sandbox: Sandbox) -> web.Application:
    app = web.Application()
    app.add_subapp("/wechat", sandbox.wechat.app())
    app.add_subapp("/weibo", sandbox.weibo.app())
    app.add_subapp("/wecom", sandbox.wecom.app())
    routes = timeline_routes(sandbox)
    app.add_routes(routes)
    app.router.add_get("/", routes[0].handler)
    app.add_routes(back_office_routes(sandbox.wechat, sandbox.weibo))
    return app


def mount(app: web.Application) -> None:
    """At route setup: create the shared sandbox and mount it under ``/sandbox`` (demo only)."""
    settings = app[keys.SETTINGS]
    if not settings.demo or RUNTIME in app:
        return
    remote = worker_of(app).sandbox_api
    if remote:  # a secondary worker: the sandbox lives in the primary
        app.add_subapp("/sandbox", proxy_app(remote))
        return
    public = sandbox_page(settings)
    state = state_file(settings.database_url)
    sandbox = create_sandbox(sandbox_config(settings, public_url=public), state=state)
    app[RUNTIME] = SandboxRuntime(sandbox)
    app[keys.SANDBOX] = sandbox
    app.add_subapp("/sandbox", sandbox_api_app(sandbox))


def api_url(app: web.Application) -> str | None:
    runtime = app.get(RUNTIME)
    return runtime.api_url if runtime is not None else worker_of(app).sandbox_api


async def sandbox_ctx(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: the loopback API server and the event sink."""
    runtime = app.get(RUNTIME)
    if runtime is None:
        yield
        return
    runner = web.AppRunner(sandbox_api_app(runtime.sandbox), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    runtime.api_url = f"http://127.0.0.1:{port}"
    runtime.sandbox.set_event_sink(lambda account, event: _deliver(app, account, event))
    log.info("sandbox platforms listening on %s", runtime.api_url)
    try:
        yield
    finally:
        runtime.sandbox.set_event_sink(None)
        await runner.cleanup()
        runtime.sandbox.close()


async def _deliver(app: web.Application, account_key: str, event: dict[str, str]) -> None:
    """POST the event to our own callback as WeChat would; settle directly if that fails."""
    settings = app[keys.SETTINGS]
    runtime = app[RUNTIME]
    account = settings.accounts.get(account_key)
    if account is None:
        return
    secrets = settings.secrets[account_key]
    base = (runtime.self_url or settings.file.service.public_url).rstrip("/")
    follower = Follower(
        base,
        account_key,
        secrets.token,
        secrets.aes_key,
        account.app_id,
        mode=account.callback_mode,
        openid=event.get("FromUserName", PLATFORM_OPENID),
        account_id=event.get("ToUserName", ""),
        session=app[keys.HTTP],
    )
    kind = event.get("Event")
    try:
        if kind == "PUBLISHJOBFINISH":
            url = event.get("article_url", "")
            reply = await follower.send_publish_finished(
                event.get("publish_id", ""),
                int(event.get("publish_status", "0")),
                article_id=event.get("article_id", ""),
                urls=(url,) if url else (),
            )
        elif kind == "MASSSENDJOBFINISH":
            reply = await follower.send_mass_finished(
                event.get("MsgID", ""), event.get("Status", "")
            )
        else:
            return
        if reply.status == 200:
            return
        log.warning("own callback answered HTTP %s to %s", reply.status, kind)
    except Exception as exc:  # service not reachable at public_url (e.g. another port)
        log.warning("own callback unreachable for %s: %s", kind, type(exc).__name__)
    await _settle_directly(app, account_key, event)


async def _settle_directly(app: web.Application, account_key: str, event: dict[str, str]) -> None:
    publisher = app.get(keys.PUBLISHER)
    remote = event.get("publish_id") or (f"mass:{event['MsgID']}" if event.get("MsgID") else "")
    if publisher is not None and remote:
        await on_publish_event(publisher, account_key, remote)
