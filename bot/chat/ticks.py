"""Delivering stored staff notifications every ~2 s through the configured notifier.

The notifications are rows written with the change that caused them; this tick only sends. Safe
on several replicas: ``deliver_pending`` claims each row with a guarded update first. Held
publishing alerts are first filed under their account's episode (``gather``): one message per
account per outage, however many posts it hit.
"""

from __future__ import annotations

from aiohttp import web

from bot import keys
from bot.jobs import TickSpec
from review.notify import deliver_pending
from review.publishing.alert_gathering import gather

SECONDS = 2.0


async def deliver_notifications(app: web.Application) -> None:
    services = app[keys.SERVICES]
    await gather(services.sessions, services.clock())
    await deliver_pending(services.sessions, services.notifier)


def ticks() -> list[TickSpec]:
    return [TickSpec("chat.notifications", SECONDS, deliver_notifications)]
