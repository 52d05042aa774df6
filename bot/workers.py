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


#: a secondary that dies is started again, but not more often than this
RESTART_PAUSE_S = 1.0


@dataclass
class Secondaries:
    """The primary's children: started, kept running, stopped."""

    argv: list[str]
    count: int
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    restarts: int = 0
    _task: asyncio.Task[None] | None = None
    _stopping: bool = False

    def start(self) -> None:
        self.procs = [self._spawn() for _ in range(self.count)]
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="secondaries")

    def _spawn(self) -> subprocess.Popen[bytes]:
        # stdout/stderr inherited: the secondaries' JSON log lines go where the primary's go
        # own process group: a Ctrl+C in the terminal reaches the primary, which stops them
        return subprocess.Popen(self.argv, process_group=0)  # noqa: S603 (our own argv)

    async def _watch(self) -> None:
        while not self._stopping:
            await asyncio.sleep(RESTART_PAUSE_S)
            for i, proc in enumerate(self.procs):
                code = proc.poll()
                if code is not None and not self._stopping:
                    log.warning(
                        "secondary worker %d exited with %s; starting it again", proc.pid, code
                    )
                    self.procs[i] = self._spawn()
                    self.restarts += 1

    async def stop(self, grace_s: float) -> None:
        """SIGTERM to all; whoever is still there after ``grace_s`` is killed."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        end = time.monotonic() + grace_s
        for proc in self.procs:
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
