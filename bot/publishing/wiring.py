"""Cleanup context for the channels and the publisher (registered in ``bot/app.py``), and the
one translation of the service's settings into the engine's plain config (review/publishing/).

Channels passed to ``create_app(channels=…)`` (tests) are used as given; otherwise one channel
per account is built from settings, sandbox accounts pointing at the loopback sandbox.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from aiohttp import web

from bot import keys
from bot.config.load import Settings
from bot.config.schema import PublishingSettings
from bot.platforms.registry import build_channels, close_all, post_options, token_store
from bot.sandbox.wiring import api_url
from bot.shutdown import SHUTDOWN
from channels.base import Channel
from review.db import SessionFactory
from review.publishing.claiming import Claim
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher
from review.publishing.seams import CallHook
from review.store import publications as store
from review.store.tokens import DbTokenStore

TOKENS = web.AppKey("token_store", DbTokenStore)


def publishing_config(settings: PublishingSettings) -> PublishingConfig:
    return PublishingConfig(
        batch_size=settings.batch_size,
        concurrency_per_account=settings.concurrency_per_account,
        lease_seconds=settings.lease_seconds,
        prepare_ahead_seconds=settings.prepare_ahead_seconds,
        prepare_ahead_rows=settings.prepare_ahead_rows,
        max_attempts=settings.max_attempts,
        backoff_base_seconds=settings.backoff_base_seconds,
        backoff_cap_seconds=settings.backoff_cap_seconds,
    )


def build_publisher(
    settings: Settings,
    sessions: SessionFactory,
    channels: Mapping[str, Channel],
    *,
    worker: str | None = None,
    claim: Claim = store.claim_due,
    after_call: CallHook | None = None,
    before_call: CallHook | None = None,
) -> Publisher:
    """The engine over the database, configured from settings (the service and the worker)."""
    return Publisher(
        sessions,
        channels,
        publishing_config(settings.file.publishing),
        options=post_options(settings),
        worker=worker,
        claim=claim,
        after_call=after_call,
        before_call=before_call,
    )


def channels_ctx(
    injected: dict[str, Any] | None,
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        settings = app[keys.SETTINGS]
        tokens = token_store(settings, app[keys.SESSIONS])
        app[TOKENS] = tokens
        owned = injected is None
        channels: dict[str, Any] = (
            build_channels(settings, tokens, http=app[keys.HTTP], sandbox_url=api_url(app))
            if injected is None
            else dict(injected)
        )
        app[keys.CHANNELS] = channels
        publisher = build_publisher(settings, app[keys.SESSIONS], channels)
        app[keys.PUBLISHER] = publisher
        try:
            yield
        finally:
            await publisher.stop(SHUTDOWN.calls, SHUTDOWN.hand_back)  # at once if stopped
            if owned:
                await close_all(channels)

    return ctx
