"""A throwaway PostgreSQL cluster for the tests that stop or restart the database server.

The machine's shared PostgreSQL is left alone: ``initdb`` in a temp directory (as the
``postgres`` OS user when run as root — PostgreSQL refuses root), on a free port, trust auth.
``stop`` and ``restart`` use ``-m fast``, which kills the open connections as a crash would.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: the server binaries of the newest installed PostgreSQL (empty: not installed, tests skip)
BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
MISSING = "PostgreSQL server binaries (initdb) not installed"


class Cluster:
    """A private PostgreSQL cluster: initdb, start, stop -m fast, start or restart again."""

    def __init__(self, base: Path, *, max_connections: int = 100) -> None:
        self.bin = Path(BINS[-1]).parent
        self.dir = base
        self.data = base / "data"
        self.max_connections = max_connections
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on"
            f" -c max_connections={self.max_connections}"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"),
                  "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: open connections killed, the server back with the same
        options before this returns."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-l", str(self.dir / "log"),
                  "-w", "restart")  # fmt: skip


@contextlib.contextmanager
def private_cluster(*, max_connections: int = 100) -> Iterator[Cluster]:
    """A started cluster, stopped and removed afterwards whatever happened."""
    base = Path(tempfile.mkdtemp(prefix="newmedia-pg-"))
    c = Cluster(base, max_connections=max_connections)
    try:
        c.init()
        c.start()
        yield c
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            c.stop()  # already stopped if the test failed while it was down
        shutil.rmtree(base, ignore_errors=True)
