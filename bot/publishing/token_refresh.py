"""One token refresher per account among replicas: the holder of the lease ``token:<key>``.

Each round (the ``token_refresh`` tick) a replica takes or renews, in one short transaction and
before any platform call, the lease of every account whose client keeps a refreshable token
(WeChat; Weibo tokens last years), then refreshes only the accounts it holds whose stored token
runs out within ``ahead``. A lease lasts ``review.leases.LEASE_PERIODS`` rounds and its holder
renews it every round; a holder that dies stops renewing, and when the lease runs out the next
replica to tick takes the account over. A stop gives the leases back at once.

Why a lease, when ``stable_token``'s normal mode already gives every caller the same token: one
call per account per round instead of one per replica (the daily quota is the platform's, and
a round's refresh is then one line in one log). The clients' own on-demand refresh (no stored
token, or a token the platform refused) stays outside the lease so any replica recovers by
itself; it is single-flight per process (``channels.wechat.api.WeChatAPI._recover``).

WeCom app tokens are not leased: ``gettoken`` hands every caller the same token while it is
valid and never invalidates one, each process keeps its own in memory (``WeComAPI``, single
flight per process), so there is nothing to coordinate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from channels.base import ChannelError
from review.db import SessionFactory
from review.leases import token_lease
from review.models import utcnow
from review.store import leases

log = logging.getLogger("newmedia.publisher")


@runtime_checkable
class Refreshable(Protocol):
    """A client whose token the refresher keeps fresh (``WeChatAPI``)."""

    async def refresh_before(self, horizon: datetime) -> bool: ...


class Forgetful(Protocol):
    """The token store's read cache: dropped before a check, so the check reads the database."""

    def forget(self, account_key: str) -> None: ...


def refreshable(channels: Mapping[str, object]) -> dict[str, Refreshable]:
    """Account key → its client, for the accounts whose tokens need refreshing."""
    found: dict[str, Refreshable] = {}
    for key, channel in channels.items():
        api = getattr(channel, "api", None)
        if isinstance(api, Refreshable):
            found[key] = api
    return found


@dataclass
class TokenRefresher:
    """One per process; ``holder`` is its worker name (the publisher's, as in ``claimed_by``)."""

    sessions: SessionFactory
    tokens: Forgetful
    holder: str
    #: seconds between rounds (the tick's period): the lease lasts a few of them
    period: float
    #: refresh a token this long before it runs out (stable_token renews 5 min early itself)
    ahead: timedelta
    clock: Callable[[], datetime] = utcnow
    #: the accounts whose lease this process took last round
    held: set[str] = field(default_factory=set)

    async def run(self, channels: Mapping[str, object]) -> list[str]:
        """One round: take or renew the leases, refresh what is mine and due; the accounts
        refreshed. A database error fails the round (the scheduler logs it); my leases then
        run out and another replica takes the accounts over."""
        clients = refreshable(channels)
        if not clients:
            return []
        names = {token_lease(key): key for key in clients}
        async with self.sessions.begin() as session:
            mine = await leases.acquire_all(
                session, names, self.holder, now=self.clock(), period=self.period
            )
        gained = {names[n] for n in mine} - self.held
        self.held = {names[n] for n in mine}
        if gained:
            log.info("token refresher %s now holds %s", self.holder, ", ".join(sorted(gained)))
        horizon = self.clock() + self.ahead
        refreshed: list[str] = []
        for key in sorted(self.held):
            self.tokens.forget(key)  # another replica may have refreshed it: read the database
            try:
                if await clients[key].refresh_before(horizon):
                    refreshed.append(key)
                    log.info("token of %s refreshed by lease holder %s", key, self.holder)
            except ChannelError as exc:
                log.warning("token refresh for %s failed: %s", key, type(exc).__name__)
        return refreshed

    async def release(self) -> None:
        """Give the leases back (a stop): another replica takes over at its next round."""
        if not self.held:
            return
        names = [token_lease(key) for key in self.held]
        async with self.sessions.begin() as session:
            await leases.release(session, names, self.holder)
        self.held = set()
