"""Area resources (sandbox, channels, notifier) as cleanup contexts. Each area adds its own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from bot import keys

Ctx = Callable[[web.Application], AsyncIterator[None]]


def contexts(app: web.Application, channels: dict[str, Any] | None) -> list[Ctx]:
    """Order matters: sandbox before channels, channels before the notifier."""

    async def _channels(app: web.Application) -> AsyncIterator[None]:
        app[keys.CHANNELS] = dict(channels or {})
        yield

    return [_channels]
