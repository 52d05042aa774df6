"""Leases: which replica does a duty that must run in one place (pure).

A lease is taken by ``me`` when nobody holds it, when I hold it already (a renewal), or when
its holder let it run out — a holder that died stops renewing, and the next replica to ask
takes it over. ``review/store/leases.py`` asks the same question of the database in one
guarded upsert, so two replicas asking at once cannot both win; tests hold the two to agree.

Times are each replica's own clock: a skew between replicas moves a hand-over by that much,
which is why a lease lasts several of its holder's renewal periods (``LEASE_PERIODS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

#: a lease outlives this many renewal periods: a holder late by one or two keeps it
LEASE_PERIODS = 3


@dataclass(frozen=True, slots=True)
class Lease:
    name: str
    holder: str
    expires_at: datetime


def may_take(current: Lease | None, me: str, now: datetime) -> bool:
    """Free, mine, or run out (the store's ``WHERE``: ``expires_at < :now OR holder = :me``)."""
    return current is None or current.holder == me or current.expires_at < now


def taken(name: str, me: str, now: datetime, period: float) -> Lease:
    """The lease as ``me`` holds it after taking or renewing it at ``now``."""
    return Lease(name, me, now + lease_length(period))


def lease_length(period: float) -> timedelta:
    """How long a lease renewed every ``period`` seconds lasts."""
    return timedelta(seconds=period * LEASE_PERIODS)


def token_lease(account_key: str) -> str:
    """The lease of an account's token refresher."""
    return f"token:{account_key}"


def tick_lease(tick: str) -> str:
    """The lease of a tick that runs on one replica at a time (``bot.jobs.TickSpec.single``)."""
    return f"tick:{tick}"
