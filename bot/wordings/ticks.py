"""The 口径 library's tick: the 办事指南 clock (reminders before the one-working-day limit,
the head after it), on the primary only like every tick."""

from __future__ import annotations

from aiohttp import web

from bot import keys
from bot.jobs import TickSpec
from review.wordings import clock


async def guide_clock(app: web.Application) -> None:
    services = app[keys.SERVICES]
    hours = services.settings.file.wordings.guide_reminder_hours_before
    async with services.sessions.begin() as session:
        await clock.remind(session, services.clock(), hours)


def tick_specs(app: web.Application) -> list[TickSpec]:
    return [TickSpec("wordings.guide_clock", 60, guide_clock)]
