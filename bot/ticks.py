"""The list of scheduled ticks. Each area adds its own line here."""

from __future__ import annotations

from aiohttp import web

from bot.jobs import TickSpec


def registered(app: web.Application) -> list[TickSpec]:
    ticks: list[TickSpec] = []
    return ticks
