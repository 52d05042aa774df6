"""The publishing area's ticks: settle pending posts, reconcile crashed attempts, refresh
access tokens before they expire, and the 7/10/14-day dormant-account clock. Due posts are
drained by the wake-up loop (wakeup.py) at their due time, not by a tick.

Every tick is safe on several replicas at once: claims are guarded in SQL, each account's token
is refreshed by the one replica holding its lease (token_refresh.py; ``stable_token`` normal
mode besides gives everyone the same token), alerts carry a ``dedup_key``.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot import keys
from bot.jobs import TickSpec
from bot.publishing.wiring import REFRESHER
from review.inspection import VETO_QUIET_DAYS  # the 14-day rule's one home
from review.models import utcnow
from review.notify import notify
from review.publishing import rules
from review.publishing.reconciliation import poll_pending, reconcile_expired
from review.store import directory as dir_store
from review.store import publications as store
from review.timefmt import fmt

log = logging.getLogger("newmedia.publisher")


async def pending(app: web.Application) -> None:
    await poll_pending(app[keys.PUBLISHER])


async def reconcile(app: web.Application) -> None:
    """Expired claims: rows never marked sending go back to ``scheduled`` by themselves; only
    the marked ones (a call may have started) are reconciled with the platform."""
    publisher = app[keys.PUBLISHER]
    await publisher.hand_back_expired()
    await reconcile_expired(publisher)


async def refresh_tokens(app: web.Application) -> None:
    """One refresher per account among replicas: the holder of its lease (token_refresh.py)."""
    channels = app.get(keys.CHANNELS) or {}
    await app[REFRESHER].run(channels)


async def dormant_accounts(app: web.Application) -> None:
    """An account quiet for 7/10/14 days alerts its owner department, once per threshold."""
    thresholds = app[keys.SETTINGS].file.publishing.dormant_alert_days
    now = utcnow()
    async with app[keys.SESSIONS].begin() as session:
        last = await store.last_published(session)
        for account in await dir_store.all_accounts(session):
            since = last.get(account.id) or account.created_at
            quiet = (now - since).total_seconds() / 86400
            threshold = rules.dormant_threshold(quiet, thresholds)
            if threshold is None:
                continue
            veto = "，已达检查中的单项否决标准" if threshold >= VETO_QUIET_DAYS else ""
            await notify(
                session,
                kind="account_dormant",
                subject=f"account:{account.key}",
                text=f"账号「{account.name}」（{account.key}）已连续 {int(quiet)} 天未发布"
                f"（上次发布：{fmt(last.get(account.id)) if last.get(account.id) else '无'}）{veto}。",
                department_id=account.owner_department_id,
                payload={"account": account.key, "days": int(quiet), "threshold": threshold},
                dedup_key=f"dormant:{account.key}:{threshold}:{since.isoformat()}",
            )


def tick_specs(app: web.Application) -> list[TickSpec]:
    cfg = app[keys.SETTINGS].file.publishing
    return [
        TickSpec("publish_pending", max(2.0, cfg.tick_seconds * 3), pending),
        TickSpec("publish_reconcile", max(1.0, cfg.lease_seconds / 4), reconcile),
        TickSpec("token_refresh", cfg.token_refresh_seconds, refresh_tokens),
        TickSpec("account_dormant", 3600.0, dormant_accounts),
    ]
