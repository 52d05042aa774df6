"""Area resources (sandbox, channels, notifier) as cleanup contexts. Each area adds its own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

Ctx = Callable[[web.Application], AsyncIterator[None]]


def contexts(app: web.Application, channels: dict[str, Any] | None) -> list[Ctx]:
    """Order matters: sandbox before channels, channels before the notifier."""

    from bot.notify_wecom import context as notifier_ctx
    from bot.publishing_wiring import channels_ctx
    from bot.sandbox_wiring import sandbox_ctx

    return [sandbox_ctx, channels_ctx(channels), notifier_ctx]
