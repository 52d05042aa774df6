"""The publishing engine's seams: what it needs from storage (``ClaimSource``, ``OutcomeLog``;
the database behind them is claiming.py and recording.py, the unit tests' is an in-memory
ledger), the hooks it calls around a platform call, and the timer its stop waits on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol, TypeVar

from review.models import Publication
from review.publishing import rules
from review.publishing.claiming import Claimed
from review.publishing.targets import Target
from review.states import PublicationStatus

#: called with a publication id: ``before_call`` when its attempt starts, before anything is
#: sent or marked; ``after_call`` right after the platform answered, before the record (faults)
CallHook = Callable[[int], None]
AfterCall = CallHook
#: waits the given seconds (``asyncio.sleep``; tests pass one they end themselves)
Timer = Callable[[float], Awaitable[object]]
R = TypeVar("R")


class ClaimSource(Protocol):
    """Where due rows come from: each claimed row is this worker's until recorded or released."""

    async def claim(self, limit: int, *, ahead: float = 0.0, ahead_rows: int = 0) -> Claimed:
        """Up to ``limit`` rows due now or within ``ahead`` seconds, and up to ``ahead_rows``
        more that are not due yet but will be within ``ahead`` (never a row already due)."""
        ...

    async def hand_back(self) -> int: ...


class OutcomeLog(Protocol):
    """Where what the platform answered is kept (``recording.Recorder``)."""

    async def record(
        self,
        pub: Publication,
        target: Target,
        outcome: rules.Outcome,
        accepted_at: datetime | None,
        *,
        expected: PublicationStatus = ...,
    ) -> bool: ...

    async def record_late(
        self, pub: Publication, target: Target, outcome: rules.Outcome
    ) -> PublicationStatus | None: ...

    def holding(
        self, publication_id: int, lease_seconds: float
    ) -> AbstractAsyncContextManager[None]: ...

    async def release(self, publication_id: int) -> None: ...

    async def mark_sending(self, publication_id: int) -> bool: ...


async def within(work: Awaitable[R], seconds: float | None, timer: Timer) -> R | None:
    """``work``'s result, or None when ``timer(seconds)`` ran out first (``work`` cancelled)."""
    task = asyncio.ensure_future(work)
    if seconds is None:
        return await task
    expiry = asyncio.ensure_future(timer(seconds))
    try:
        await asyncio.wait({task, expiry}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        expiry.cancel()
    if task.done():
        return task.result()
    task.cancel()
    return None
