"""Cleanup context for the channels and the publisher (registered in ``bot/app.py``).

Channels passed to ``create_app(channels=…)`` (tests) are used as given; otherwise one channel
per account is built from settings, sandbox accounts pointing at the loopback sandbox.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from bot import keys
from bot.platforms.registry import build_channels, close_all, post_options
from bot.publishing.engine import PUBLISHER, Publisher
from bot.sandbox.wiring import api_url
from review.store.tokens import DbTokenStore

TOKENS = web.AppKey("token_store", DbTokenStore)


def channels_ctx(
    injected: dict[str, Any] | None,
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        settings = app[keys.SETTINGS]
        tokens = DbTokenStore(app[keys.SESSIONS])
        app[TOKENS] = tokens
        owned = injected is None
        channels: dict[str, Any] = (
            build_channels(settings, tokens, http=app[keys.HTTP], sandbox_url=api_url(app))
            if injected is None
            else dict(injected)
        )
        app[keys.CHANNELS] = channels
        publisher = Publisher(
            app[keys.SESSIONS],
            channels,
            settings.file.publishing,
            options=post_options(settings),
        )
        app[PUBLISHER] = publisher
        try:
            yield
        finally:
            await publisher.stop()
            if owned:
                await close_all(channels)

    return ctx
