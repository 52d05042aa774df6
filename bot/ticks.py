"""Every scheduled tick, registered in one place (each area builds its own specs)."""

from __future__ import annotations

from aiohttp import web

from bot.jobs import TickSpec


def registered(app: web.Application) -> list[TickSpec]:
    from bot import ticks_chat, ticks_inbox, ticks_publishing, ticks_review

    return [
        *ticks_publishing.tick_specs(app),
        *ticks_review.tick_specs(app),
        *ticks_inbox.tick_specs(app),
        *ticks_chat.ticks(),
    ]
