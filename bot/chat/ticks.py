"""Delivering stored staff notifications every ~2 s through the configured notifier.

The notifications are rows written with the change that caused them; this tick only sends. Safe
on several replicas: ``deliver_pending`` claims each row with a guarded update first.
"""

from __future__ import annotations

from typing import cast

from aiohttp import web

from bot import keys
from bot.jobs import TickSpec
from review.notify import Deliverer, LogDeliverer, deliver_pending

SECONDS = 2.0


def notifier(app: web.Application) -> Deliverer:
    found = app.get(keys.NOTIFIER)
    return LogDeliverer() if found is None else cast(Deliverer, found)


async def deliver_notifications(app: web.Application) -> None:
    await deliver_pending(app[keys.SESSIONS], notifier(app))


def ticks() -> list[TickSpec]:
    return [TickSpec("chat.notifications", SECONDS, deliver_notifications)]
