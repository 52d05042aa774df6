"""The approved 办事指南 entries in memory, for the callback's fast path.

The callback asks ``current()`` — no query: the snapshot is rebuilt by ``refresh`` (one query,
run by the ``wordings.guides`` tick on the primary, and started in the background by
``current()`` on any worker once it is older than ``refresh_s``). A refresh that finds the
same live versions keeps the same object, so the fast path's per-text memo stays warm.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable
from typing import Any

from review.db import SessionFactory
from review.keyword_answers import KeywordAnswers
from review.wordings import guide

log = logging.getLogger("newmedia.wordings.guides")
#: this process's snapshots (one per app), told at once when an approval here changes them
_OPEN: weakref.WeakSet[GuideSnapshot] = weakref.WeakSet()


def changed() -> None:
    """An approval in this process changed the 办事指南: refresh every snapshot now (the
    other workers' snapshots catch up within ``refresh_s``)."""
    for snapshot in list(_OPEN):
        snapshot.start_refresh()


class GuideSnapshot:
    def __init__(
        self,
        sessions: SessionFactory,
        fillers: Callable[[], tuple[str, ...]],
        *,
        refresh_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._fillers = fillers
        self.refresh_s = refresh_s
        self._clock = clock
        self._at = clock()
        self._stamp: guide.Stamp | None = None
        self._used_fillers: tuple[str, ...] = ()
        self._task: asyncio.Task[Any] | None = None
        #: None while the library holds no 办事指南 entry (the file answers then)
        self.answers: KeywordAnswers | None = None
        _OPEN.add(self)

    async def refresh(self) -> KeywordAnswers | None:
        fillers = self._fillers()
        previous = self._stamp if fillers == self._used_fillers else None
        async with self._sessions() as session:
            fresh, stamp = await guide.answers(session, fillers, previous)
        self._at = self._clock()
        if stamp != previous or fresh is not None:
            self.answers, self._stamp, self._used_fillers = fresh, stamp, fillers
        return self.answers

    def current(self) -> KeywordAnswers | None:
        """The snapshot as it is; a refresh starts in the background once it is stale."""
        if self._clock() >= self._at + self.refresh_s:
            self.start_refresh()
        return self.answers

    def start_refresh(self) -> None:
        if self._task is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop here (a CLI run): nothing in this process to refresh
            return
        self._at = self._clock()
        self._task = loop.create_task(self._refresh_quietly())

    async def settled(self) -> None:
        """Wait for a refresh under way (tests, and shutdown)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _refresh_quietly(self) -> None:
        try:
            await self.refresh()
        except Exception:  # the callback keeps the snapshot it has; the next look tries again
            log.warning("办事指南 snapshot not refreshed", exc_info=True)
        finally:
            self._task = None
