"""Cleanup context for the channels and the publisher (registered in ``bot/app.py``), and the
one translation of the service's settings into the engine's plain config (review/publishing/).

Channels passed to ``create_app(channels=…)`` (tests) are used as given; otherwise one channel
per account is built from settings, sandbox accounts pointing at the loopback sandbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot import keys
from bot.config.load import Settings
from bot.config.schema import PublishingSettings
from bot.metrics import registry as metrics
from bot.metrics.publishing import count_outcomes
from bot.platforms.registry import build_channels, close_all, post_options, token_store
from bot.publishing.token_refresh import TokenRefresher
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
REFRESHER = web.AppKey("token_refresher", TokenRefresher)

log = logging.getLogger("newmedia.publisher")


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


async def _release(refresher: TokenRefresher) -> None:
    """Hand the token leases over within the publisher's hand-back budget; if the database is
    gone or slow, they run out by themselves instead."""
    try:
        await asyncio.wait_for(refresher.release(), SHUTDOWN.hand_back)
    except Exception as exc:
        log.warning("token leases not released: %s", type(exc).__name__)


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
        count_outcomes(publisher, metrics.install(app))
        app[keys.PUBLISHER] = publisher
        cfg = settings.file.publishing
        refresher = TokenRefresher(
            app[keys.SESSIONS],
            tokens,
            holder=publisher.worker,  # one name per process, as in publications' claimed_by
            period=cfg.token_refresh_seconds,
            ahead=timedelta(seconds=cfg.token_refresh_ahead_seconds),
        )
        app[REFRESHER] = refresher
        try:
            yield
        finally:
            await asyncio.gather(  # at once if stopped; the ticks have stopped already
                publisher.stop(SHUTDOWN.calls, SHUTDOWN.hand_back), _release(refresher)
            )
            if owned:
                await close_all(channels)

    return ctx
