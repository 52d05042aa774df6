"""LISTEN for "a publication was scheduled" on PostgreSQL, for the publisher's wake-up loop.

Another replica (or a command-line process) that schedules a post sooner than the one this
process sleeps for sends ``pg_notify`` in its transaction (``review/store/scheduling.py``
``announce``). One dedicated asyncpg connection per publishing process listens; it never blocks
the event loop, is reconnected with a doubling pause when it drops (the fallback poll covers the
gap), and pings now and then so a silently dead connection is noticed too. A notification only
wakes the loop: what is due is always read from the database, so a lost one costs at most the
fallback poll and a spurious one a single query.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import make_url

from review.db import is_sqlite, normalise_url
from review.store.scheduling import CHANNEL

log = logging.getLogger("newmedia.publisher")

CONNECT_TIMEOUT_S = 10.0
FIRST_PAUSE_S = 0.5
MAX_PAUSE_S = 30.0
#: a LISTEN connection sends nothing: ping it this often to notice a dead peer
PING_EVERY_S = 30.0
PING_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Target:
    """Where to LISTEN: asyncpg's DSN and the schema search path the service's connections use
    (a notification carries its sender's ``current_schema()``)."""

    dsn: str
    search_path: str | None = None


def listen_target(database_url: str) -> Target | None:
    """From the settings' database URL; None for SQLite (no NOTIFY there)."""
    if is_sqlite(database_url):
        return None
    url = make_url(normalise_url(database_url))
    search_path = url.query.get("search_path")
    url = url.set(drivername="postgresql").difference_update_query(["search_path"])
    return Target(url.render_as_string(hide_password=False), str(search_path or "") or None)


class Listener:
    """Calls ``on_notify`` for every NOTIFY on ``CHANNEL``, and once after each (re)connect:
    something may have been scheduled while nobody listened."""

    def __init__(self, target: Target, on_notify: Callable[[], None]) -> None:
        self.target = target
        self.on_notify = on_notify
        #: set while LISTEN is in place (tests wait on it instead of timing a connect)
        self.listening = asyncio.Event()
        #: the listening connection's backend pid (tests terminate it to force a reconnect)
        self.server_pid: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._pause = FIRST_PAUSE_S

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def close(self) -> None:
        """Stop listening now: a connect under way is abandoned, an open connection closed."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            conn: Any = None
            try:
                # lazy: only a PostgreSQL deployment needs the driver (0.1–0.17 s, python -X
                # importtime, as in review/store/inbox_pg.py)
                import asyncpg  # type: ignore[import-untyped]

                path = self.target.search_path
                conn = await asyncpg.connect(
                    self.target.dsn,
                    timeout=CONNECT_TIMEOUT_S,
                    server_settings={"search_path": path} if path else None,
                )
                await self._listen(conn)  # returns when the server closed the connection
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # unreachable, refused, restarting, dropped: try again
                log.warning(
                    "LISTEN %s: %s, again in %.1f s", CHANNEL, type(exc).__name__, self._pause
                )
            finally:
                self.listening.clear()
                self.server_pid = None
                if conn is not None:
                    await _close(conn)
            await asyncio.sleep(self._pause)
            self._pause = min(self._pause * 2, MAX_PAUSE_S)

    async def _listen(self, conn: Any) -> None:
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        schema = await conn.fetchval("SELECT current_schema()")

        def heard(_conn: object, _pid: int, _channel: str, payload: str) -> None:
            if payload == schema:  # another schema's publications are not ours
                self.on_notify()

        await conn.add_listener(CHANNEL, heard)
        self.server_pid = conn.get_server_pid()
        self.listening.set()
        self._pause = FIRST_PAUSE_S
        self.on_notify()
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), PING_EVERY_S)
            if not lost.is_set():
                await conn.fetchval("SELECT 1", timeout=PING_TIMEOUT_S)
        log.warning("LISTEN %s: connection closed by the server, reconnecting", CHANNEL)


async def _close(conn: Any) -> None:
    """Close politely if that is quick, otherwise drop the socket."""
    if conn.is_closed():
        return
    try:
        await asyncio.wait_for(conn.close(), 1.0)
    except asyncio.CancelledError:
        conn.terminate()
        raise
    except Exception:
        conn.terminate()
