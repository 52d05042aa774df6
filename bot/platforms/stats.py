"""Pull each WeChat account's statistics (datacube) into the database: the daily tick and
``newmedia report stats pull`` run the same ``pull_stats``.

The platform keeps revising the last days' figures for a while, so every pull asks again for
the last ``days`` days up to yesterday (Beijing) and overwrites what it stored (upserts: a pull
repeated changes nothing). Each account's calls run outside any transaction; one account's
failure is logged and reported, the others still pull.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from aiohttp import web

from bot import keys
from bot.jobs import TickSpec
from channels.base import ChannelError
from channels.wechat.channel import WeChatChannel
from channels.wechat.datacube import ArticleDay, FollowerDay
from review.db import SessionFactory
from review.models import utcnow
from review.store import platform_stats as store
from review.store.directory import account_by_key
from review.timefmt import SHANGHAI

log = logging.getLogger("newmedia.stats")
#: days asked again at each pull (the platform's figures settle over a few days)
DEFAULT_DAYS = 3
TICK_SECONDS = 24 * 3600


@dataclass
class PullResult:
    """What one pull stored: rows per account, and the accounts that failed (Chinese reason)."""

    first: date
    last: date
    articles: dict[str, int] = field(default_factory=dict)
    followers: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def pull_range(now: datetime, days: int) -> tuple[date, date]:
    """The last ``days`` Beijing days, yesterday included."""
    yesterday = now.astimezone(SHANGHAI).date() - timedelta(days=1)
    return yesterday - timedelta(days=max(days, 1) - 1), yesterday


async def pull_stats(
    sessions: SessionFactory,
    channels: Mapping[str, Any],
    *,
    days: int = DEFAULT_DAYS,
    account: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> PullResult:
    first, last = pull_range(clock(), days)
    result = PullResult(first, last)
    for key, channel in sorted(channels.items()):
        if not isinstance(channel, WeChatChannel) or account not in (None, key):
            continue
        try:
            articles = await channel.datacube.articles(first, last)
            followers = await channel.datacube.followers(first, last)
        except ChannelError as exc:
            log.warning("datacube pull failed for %s: %s", key, exc)
            result.failed[key] = str(exc)
            continue
        async with sessions.begin() as session:
            row = await account_by_key(session, key)
            if row is None:
                result.failed[key] = "账号不在数据库中（请先运行 newmedia db upgrade）"
                continue
            result.articles[key] = await store.save_articles(
                session, [_article(row.id, a) for a in articles]
            )
            result.followers[key] = await store.save_followers(
                session, [_follower(row.id, f) for f in followers]
            )
    return result


def _article(account_id: int, a: ArticleDay) -> dict[str, Any]:
    return {
        "account_id": account_id, "day": a.day, "msgid": a.msgid, "title": a.title[:200],
        "reads": a.reads, "read_users": a.read_users, "shares": a.shares,
        "share_users": a.share_users,
    }  # fmt: skip


def _follower(account_id: int, f: FollowerDay) -> dict[str, Any]:
    return {
        "account_id": account_id, "day": f.day, "new_followers": f.new,
        "lost_followers": f.cancel, "total_followers": f.cumulate,
    }  # fmt: skip


async def stats_tick(app: web.Application) -> None:
    channels: dict[str, Any] = app.get(keys.CHANNELS) or {}
    await pull_stats(app[keys.SESSIONS], channels)


def tick_specs(app: web.Application) -> list[TickSpec]:
    return [TickSpec("wechat_stats", TICK_SECONDS, stats_tick, single=True)]
