"""The list of scheduled ticks. Each area adds its own line here."""

from __future__ import annotations

from aiohttp import web

from bot.jobs import TickSpec


def registered(app: web.Application) -> list[TickSpec]:
    ticks: list[TickSpec] = []
    from bot import ticks_inbox

    ticks += ticks_inbox.tick_specs(app)
    from bot import ticks_chat

    ticks += ticks_chat.ticks()
    from bot import ticks_publishing

    ticks += ticks_publishing.tick_specs(app)
    from bot import ticks_review

    ticks += ticks_review.tick_specs(app)
    return ticks
