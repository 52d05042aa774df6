"""The publisher's wake-up loop: drain, then sleep exactly until the next post falls due.

It replaces the one-second publish tick, whose wait for the next tick made a post up to a second
late (half a second on average). After each drain the loop asks the database for the earliest
``due_at`` of a ``scheduled`` row and sleeps until then (less ``prepare_ahead_seconds``: the
publisher prepares a row that long before it is due), never longer than ``tick_seconds``: that
fallback poll finds what another process scheduled without telling anyone (SQLite; a lost
notification), so nothing is later than with the tick. On PostgreSQL a LISTEN connection
(``listener.py``) wakes it as soon as any replica or command commits a newly scheduled row.

It only calls ``Publisher.publish_due``: the claim is guarded in SQL, so a spurious wake-up or
another replica's loop costs a query, never a second post. It runs where the publish tick ran
(``serve``'s primary, not secondaries; ``create_app(run_jobs=False)`` runs none).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta

from aiohttp import web

from bot import keys
from bot.publishing.listener import Listener, listen_target
from review.models import utcnow
from review.store import publications as store

log = logging.getLogger("newmedia.publisher")

#: a row already due that the last drain did not take (another replica holds it in its claim,
#: or claiming failed) is tried again after this pause, doubled each time, up to the fallback
STALL_PAUSE_S = 0.05

Wait = Callable[[asyncio.Event, float], Awaitable[None]]


def pause(now: datetime, next_due: datetime | None, *, fallback: float, stalled: int) -> float:
    """Seconds to sleep: until the next due row, at most ``fallback``. ``stalled``: rounds in a
    row in which a row was already due yet the drain took nothing (0: drain again at once)."""
    if next_due is None:
        return fallback
    ahead = (next_due - now).total_seconds()
    if ahead > 0:
        return min(ahead, fallback)
    if stalled == 0:
        return 0.0
    return min(fallback, STALL_PAUSE_S * 2.0 ** (stalled - 1))


async def wait_event(event: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds`` or until ``event`` is set, whichever comes first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


class WakeUp:
    """``drain`` whenever something may be due; ``poke`` to wake it (a notification)."""

    def __init__(
        self,
        drain: Callable[[], Awaitable[int]],
        next_due: Callable[[], Awaitable[datetime | None]],
        *,
        fallback: float,
        clock: Callable[[], datetime] = utcnow,
        wait: Wait = wait_event,
        ahead: float = 0.0,
    ) -> None:
        self.drain = drain
        #: the publisher prepares rows this long before they are due: wake that much earlier
        self.ahead = timedelta(seconds=ahead)
        self.next_due = next_due
        self.fallback = fallback
        self.clock = clock
        self.wait = wait
        self.poked = asyncio.Event()
        #: set while the loop sleeps (tests force interleavings with it, never a timer)
        self.asleep = asyncio.Event()
        self.listener: Listener | None = None
        self._stopping = False
        self._draining = False
        self._task: asyncio.Task[None] | None = None

    def poke(self) -> None:
        self.poked.set()

    def start(self) -> None:
        if self.listener is not None:
            self.listener.start()
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        """Returns at once: no drain starts after this, and a sleeping loop ends now. A drain
        under way is not waited for: its calls are the publisher's (``Publisher.stop`` stops its
        claims and waits for them), and the loop ends as soon as that drain returns."""
        self._stopping = True
        self.poked.set()
        if self.listener is not None:
            await self.listener.close()
        if self._task is not None and not self._draining:
            await self._task

    async def _run(self) -> None:
        stalled = 0
        while not self._stopping:
            self.poked.clear()  # a poke from here on wakes the next sleep
            taken = await self._drain()
            if self._stopping:
                break
            due = await self._next_due()
            if due is not None:
                due -= self.ahead
            now = self.clock()
            behind = due is not None and due <= now and taken == 0
            stalled = stalled + 1 if behind else 0
            seconds = pause(now, due, fallback=self.fallback, stalled=stalled)
            if seconds <= 0 or self.poked.is_set():
                continue
            self.asleep.set()
            try:
                await self.wait(self.poked, seconds)
            finally:
                self.asleep.clear()

    async def _drain(self) -> int:
        self._draining = True
        try:
            return await self.drain()
        except Exception:  # the loop must outlive a database hiccup, as a tick did
            log.exception("publishing drain failed")
            return 0
        finally:
            self._draining = False

    async def _next_due(self) -> datetime | None:
        try:
            return await self.next_due()
        except Exception:
            log.exception("reading the next due publication failed")
            return None


def for_app(app: web.Application) -> WakeUp:
    """The loop over the app's publisher and database; LISTENing on PostgreSQL."""
    settings, sessions = app[keys.SETTINGS], app[keys.SESSIONS]

    async def next_due() -> datetime | None:
        async with sessions() as session:
            return await store.next_due(session)

    publishing = settings.file.publishing
    wakeup = WakeUp(
        app[keys.PUBLISHER].publish_due,
        next_due,
        fallback=publishing.tick_seconds,
        ahead=publishing.prepare_ahead_seconds,
    )
    target = listen_target(settings.database_url)
    if target is not None:
        wakeup.listener = Listener(target, wakeup.poke)
    return wakeup


WAKEUP = web.AppKey("publishing_wakeup", WakeUp)


def context(*, run: bool) -> Callable[[web.Application], AsyncIterator[None]]:
    """The cleanup context ``bot/app.py`` registers (``run``: where ticks run)."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        if not run:
            yield
            return
        wakeup = for_app(app)
        app[WAKEUP] = wakeup
        wakeup.start()
        yield
        await wakeup.stop()

    return ctx
