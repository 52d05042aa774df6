"""The review queue's clock: expired claims go back to their department's queue, and each
holder is warned once before the lease runs out ("your claim expires in 30 min").

Safe on several replicas at once: both steps are guarded updates, and the warning has a
dedup key, so a tick running twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from aiohttp import web

from bot import keys
from bot.jobs import TickSpec
from review import queue

log = logging.getLogger("newmedia.review")

TICK_SECONDS = 60.0


async def expire_and_remind(
    app: web.Application, *, now: datetime | None = None
) -> tuple[int, int]:
    """One pass; returns (claims expired, holders warned)."""
    settings = app[keys.SETTINGS]
    within = timedelta(minutes=settings.file.review.expiry_warning_minutes)
    async with app[keys.SESSIONS].begin() as session:
        expired = await queue.expire_leases(session, now=now)
    async with app[keys.SESSIONS].begin() as session:
        warned = await queue.warn_expiring(session, within=within, now=now)
    if expired or warned:
        log.info("review tick: %d claims expired, %d holders warned", len(expired), len(warned))
    return len(expired), len(warned)


async def _tick(app: web.Application) -> None:
    await expire_and_remind(app)


def tick_specs(app: web.Application) -> list[TickSpec]:
    return [TickSpec("review.expire_and_remind", TICK_SECONDS, _tick)]
