"""Forcing an interleaving on PostgreSQL: hold a row lock in one transaction, start a second
that needs it, and wait — by polling ``pg_stat_activity``, not by sleeping a guessed time — until
the second is blocked on the lock. Then the test lets the first commit and checks what the second
decided when it went on."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from review.db import SessionFactory


async def backend_pid(session: AsyncSession) -> int:
    """The server process behind ``session``'s connection (it keeps it for its transaction)."""
    return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)


async def until_blocked(sf: SessionFactory, pid: int, limit: float = 60.0) -> None:
    """Return once backend ``pid`` waits on a lock; the limit only guards against a hang."""
    deadline = time.monotonic() + limit
    query = text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid")
    while True:
        async with sf() as s:
            if await s.scalar(query, {"pid": pid}) == "Lock":
                return
        assert time.monotonic() < deadline, f"backend {pid} never waited on a lock"
        await asyncio.sleep(0.02)
