"""The back-office sync's wiring: an hourly tick lists each account whose last sync is a day
old (``review.platform_sync``), and ``newmedia report sync`` runs it at once.

Only channels that list their posts (``channels.base.PostLister``: WeChat, Weibo, the sandbox
through the same adapters) take part; a WeCom channel has no posts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot import keys
from bot.jobs import TickSpec
from bot.services import Services
from channels.base import PostLister
from review import platform_sync
from review.platform_sync import SyncResult


def listers(channels: Mapping[str, Any], only: str | None = None) -> list[PostLister]:
    return [
        c
        for key, c in sorted(channels.items())
        if isinstance(c, PostLister) and (only is None or key == only)
    ]


async def sync(
    services: Services, *, only: str | None = None, force: bool = True
) -> list[SyncResult]:
    """Sync each listing channel (``only``: one account); ``force``: even if synced today."""
    now = services.clock()
    chosen = listers(services.channels, only)
    if not force:
        due = set(await platform_sync.due(services.sessions, [c.account_key for c in chosen], now))
        chosen = [c for c in chosen if c.account_key in due]
    return [await platform_sync.sync_account(services.sessions, c, now=now) for c in chosen]


async def tick(app: web.Application) -> None:
    await sync(app[keys.SERVICES], force=False)


def tick_specs(app: web.Application) -> list[TickSpec]:
    return [TickSpec("platform_sync", 3600.0, tick, single=True)]
