"""The gauges read from the database at scrape time: queue sizes, overdue citizens' messages,
reply windows about to close. They hold for every replica alike (the database is shared).

One short query each in one session that is closed before the page is written (no transaction
is held while serving), and a copy kept for ``[metrics] cache_seconds`` so a scrape storm reads
the database once. A database that does not answer gives ``newmedia_database_up 0`` and the last
copy's values are not served as if fresh.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from review.db import SessionFactory
from review.models import Account, CitizenMessage, Draft, Notification, Publication
from review.states import DraftStatus as D
from review.states import MessageStatus as M

log = logging.getLogger("newmedia.metrics")

#: a citizen's message still waiting for its answer
OPEN_MESSAGES = (M.NEW, M.ASSIGNED, M.OVERDUE)
#: drafts a reviewer still has to decide
AWAITING_REVIEW = (D.SUBMITTED, D.IN_REVIEW)
#: notifications not delivered yet (``held``: a publishing alert waiting for its episode)
UNDELIVERED = ("pending", "sending", "held")


@dataclass(frozen=True)
class Snapshot:
    ok: bool
    #: (account key, status) → (publications, attempts made on them)
    publications: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    drafts: dict[str, int] = field(default_factory=dict)
    notifications: dict[str, int] = field(default_factory=dict)
    overdue_messages: int = 0
    windows_closing: int = 0
    read_seconds: float = 0.0


async def read(sessions: SessionFactory, now: datetime, closing_within: timedelta) -> Snapshot:
    started = time.perf_counter()
    async with sessions() as s:
        pubs = await s.execute(
            select(Account.key, Publication.status, func.count(), func.sum(Publication.attempts))
            .join(Account, Account.id == Publication.account_id)
            .group_by(Account.key, Publication.status)
        )
        publications = {(k, st): (int(n), int(a or 0)) for k, st, n, a in pubs.all()}
        drafts = await s.execute(
            select(Draft.status, func.count())
            .where(Draft.status.in_(AWAITING_REVIEW))
            .group_by(Draft.status)
        )
        notes = await s.execute(
            select(Notification.status, func.count())
            .where(Notification.status.in_(UNDELIVERED))
            .group_by(Notification.status)
        )
        overdue = await s.scalar(
            select(func.count())
            .select_from(CitizenMessage)
            .where(CitizenMessage.status.in_(OPEN_MESSAGES), CitizenMessage.deadline_at < now)
        )
        closing = await s.scalar(
            select(func.count())
            .select_from(CitizenMessage)
            .where(
                CitizenMessage.status.in_(OPEN_MESSAGES),
                CitizenMessage.reply_window_closes_at > now,
                CitizenMessage.reply_window_closes_at <= now + closing_within,
            )
        )
    return Snapshot(
        ok=True,
        publications=publications,
        drafts={str(st): int(n) for st, n in drafts.all()},
        notifications={str(st): int(n) for st, n in notes.all()},
        overdue_messages=int(overdue or 0),
        windows_closing=int(closing or 0),
        read_seconds=time.perf_counter() - started,
    )


class CachedSnapshot:
    """The last snapshot, read again once older than ``max_age`` seconds; concurrent scrapes
    wait for one read instead of each starting their own."""

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Callable[[], datetime],
        *,
        max_age: float,
        closing_within: timedelta,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._max_age = max_age
        self._closing_within = closing_within
        self._lock = asyncio.Lock()
        self._read_at = float("-inf")
        self.current = Snapshot(ok=False)

    async def refresh(self) -> Snapshot:
        if time.monotonic() - self._read_at < self._max_age:
            return self.current
        async with self._lock:
            if time.monotonic() - self._read_at < self._max_age:
                return self.current  # another scrape read it while we waited
            try:
                self.current = await read(self._sessions, self._clock(), self._closing_within)
            except Exception as exc:  # the page still serves the process's own metrics
                log.warning("metrics: database gauges not read: %s", type(exc).__name__)
                self.current = Snapshot(ok=False)
            self._read_at = time.monotonic()
        return self.current
