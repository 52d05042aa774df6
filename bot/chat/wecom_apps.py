"""The reviewers' WeCom self-built apps at run time: one callback verifier and one API client each.

Built from ``settings.wecom_apps`` and the app's secrets (environment, or the fixed sandbox
values); the API client comes from the channel registry (a sandbox app talks to the in-process
sandbox unless ``api_base`` says otherwise).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from bot import keys
from bot.platforms.identifier_limits import IDENTIFIER_LIMITS
from bot.platforms.registry import wecom_client
from bot.sandbox.wiring import api_url
from channels.wecom.api import WeComAPI
from channels.wecom.callback import WeComCallback


@dataclass
class WeComRuntime:
    key: str
    corp_id: str
    agent_id: int
    callback: WeComCallback
    api: WeComAPI | None = None


WECOM = web.AppKey("wecom_apps", dict[str, WeComRuntime])


def build(app: web.Application) -> dict[str, WeComRuntime]:
    """Callbacks only (no network): available to the routes before start-up finishes."""
    settings = app[keys.SETTINGS]
    window = settings.file.inbox.timestamp_window_seconds
    out: dict[str, WeComRuntime] = {}
    for key, cfg in settings.wecom_apps.items():
        secrets = settings.secrets[key]
        callback = WeComCallback(
            secrets.token, secrets.aes_key, cfg.corp_id, cfg.agent_id, window_s=window,
            limits=IDENTIFIER_LIMITS, max_body=settings.file.service.max_body_bytes,
        )  # fmt: skip
        out[key] = WeComRuntime(key, cfg.corp_id, cfg.agent_id, callback)
    return out


def runtime(app: web.Application, key: str) -> WeComRuntime | None:
    if WECOM not in app:
        return None
    return app[WECOM].get(key)


async def clients(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: one API client per app on the shared HTTP session."""
    apps = app[WECOM]
    settings = app[keys.SETTINGS]
    sandbox_url = api_url(app)
    for key, rt in apps.items():
        rt.api = wecom_client(settings, key, http=app[keys.HTTP], sandbox_url=sandbox_url)
    yield
    for rt in apps.values():
        rt.api = None


def first_app(app: web.Application) -> WeComRuntime | None:
    """The app notifications go out through (the first configured one)."""
    if WECOM not in app or not app[WECOM]:
        return None
    return next(iter(app[WECOM].values()))
