"""Several serving processes on one port (``newmedia serve --workers N``).

One Python process answers callbacks on one core; a 2-core machine has two. Every worker binds
the same host and port with ``SO_REUSEPORT`` and the kernel spreads the connections. The first
process is the *primary*: it alone runs the ticks, the inbox routing loop and, in demo mode, the
sandbox platforms (their state lives in its memory). The others are *secondaries*: they serve
every route — callbacks, console, API — with no background work; in demo mode their
``/sandbox/`` forwards to the primary's sandbox, and their channels call it too. Every worker
commits callbacks to the same database, so nothing here is needed for correctness: the
database's unique keys and guarded updates already hold across replicas.

The primary starts the secondaries once it is ready, starts a new one when one dies, and stops
them all on SIGTERM/SIGINT; a secondary stops by itself when its primary is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from aiohttp import web

log = logging.getLogger("newmedia.workers")


@dataclass(frozen=True)
class Worker:
    """This process's place among the workers."""

    role: str = "single"  # "single", "primary" or "secondary"
    count: int = 1
    #: demo mode, secondaries: the primary's loopback sandbox API
    sandbox_api: str | None = None

    @property
    def background(self) -> bool:
        """Ticks, routing and the sandbox run here."""
        return self.role != "secondary"


WORKER = web.AppKey("worker", Worker)


def worker_of(app: web.Application) -> Worker:
    return app.get(WORKER) or Worker()


#: a secondary that dies is started again after this pause, doubled after each quick death
RESTART_PAUSE_S = 1.0
RESTART_PAUSE_MAX_S = 60.0
#: a secondary that ran this long before dying was healthy: its next restart is quick again
HEALTHY_AFTER_S = 30.0


@dataclass
class _Child:
    proc: subprocess.Popen[bytes] | None
    started: float
    pause_s: float = RESTART_PAUSE_S
    due: float = 0.0  # when a dead one is started again


@dataclass
class Secondaries:
    """The primary's children: started, kept running, stopped."""

    argv: list[str]
    count: int
    children: list[_Child] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    _stopping: bool = False

    def start(self) -> None:
        self.children = [_Child(self._spawn(), time.monotonic()) for _ in range(self.count)]
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="secondaries")

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        # stdout/stderr inherited: the secondaries' JSON log lines go where the primary's go;
        # own process group: a Ctrl+C in the terminal reaches the primary, which stops them
        try:
            return subprocess.Popen(self.argv, process_group=0)  # noqa: S603 (our own argv)
        except OSError as exc:
            log.error("secondary worker could not be started: %s", exc)
            return None

    async def _watch(self) -> None:
        while not self._stopping:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            for child in self.children:
                if self._stopping:
                    return
                self._look_after(child, now)

    def _look_after(self, child: _Child, now: float) -> None:
        """A dead secondary is started again — at once if it had been healthy, else after a
        pause that doubles each time (a worker that cannot start must not spin a core)."""
        if child.proc is not None:
            code = child.proc.poll()
            if code is None:
                return
            lived = now - child.started
            child.pause_s = (
                RESTART_PAUSE_S
                if lived >= HEALTHY_AFTER_S
                else min(child.pause_s * 2, RESTART_PAUSE_MAX_S)
            )
            child.due = now + (RESTART_PAUSE_S if lived >= HEALTHY_AFTER_S else child.pause_s)
            log.warning(
                "secondary worker %d exited with %s after %.0f s; starting another in %.0f s",
                child.proc.pid, code, lived, child.due - now,
            )  # fmt: skip
            child.proc = None
            return
        if now >= child.due:
            child.proc, child.started = self._spawn(), now
            if child.proc is None:
                child.pause_s = min(child.pause_s * 2, RESTART_PAUSE_MAX_S)
                child.due = now + child.pause_s

    async def stop(self, grace_s: float) -> None:
        """SIGTERM to all; whoever is still there after ``grace_s`` is killed."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        procs = [c.proc for c in self.children if c.proc is not None]
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        end = time.monotonic() + grace_s
        for proc in procs:
            try:
                await asyncio.to_thread(proc.wait, max(0.0, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("secondary worker %d did not stop in time; killed", proc.pid)
                proc.kill()
                await asyncio.to_thread(proc.wait)


def secondary_argv(
    settings_path: str | None, host: str, port: int, count: int, sandbox_api: str | None
) -> list[str]:
    argv = [sys.executable, "-m", "bot"]
    if settings_path:
        argv += ["--settings", os.path.abspath(settings_path)]
    argv += ["serve", "--host", host, "--port", str(port), "--workers", str(count)]
    argv += ["--secondary-of", str(os.getpid())]
    if sandbox_api:
        argv += ["--sandbox-api", sandbox_api]
    return argv


async def watch_primary(primary_pid: int, stop: asyncio.Event) -> None:
    """A secondary whose primary is gone (killed, crashed) stops instead of serving alone."""
    while not stop.is_set():
        if os.getppid() != primary_pid:
            log.warning("primary worker %d is gone; stopping", primary_pid)
            stop.set()
            return
        await asyncio.sleep(0.5)
