"""A file the bureau edits while the service runs, parsed again when its mtime changes.

One home for the rule the 办事指南 answers and the gate's word lists share: the file's
modification time is looked at most every ``check_s`` seconds (one ``stat``), a broken file at
start-up is an error, and a broken edit while running keeps the last good version and is
logged once per broken version (it is tried again at every check, so the finished save is
picked up). A typo never takes a list away. ``check`` looks at once, for a tick that should
notice an edit when nobody reads the value.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


class WatchedFile(Generic[T]):
    """``load(path)`` raises ``ValueError``/``OSError`` (in Chinese) for a file it refuses;
    ``refuse(fresh, previous)`` may name a reason to keep the previous version anyway."""

    def __init__(
        self,
        path: Path,
        load: Callable[[Path], T],
        *,
        log: logging.Logger,
        what: str,
        check_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        refuse: Callable[[T, T], str | None] | None = None,
    ) -> None:
        self.path = path
        self.check_s = check_s
        self._load = load
        self._log = log
        self._what = what
        self._refuse = refuse
        self._clock = clock
        self._mtime = self._stat()
        self._value = load(path)  # at start-up a broken file is an error
        self._checked_at = clock()
        self._failed_mtime: int | None = None
        #: the problem of the version on disk that was refused, or None
        self.problem: str | None = None
        self.reloads = 0

    def _stat(self) -> int | None:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return None

    def current(self) -> T:
        """The value, the file looked at again when ``check_s`` has passed since the last look."""
        if self._clock() < self._checked_at + self.check_s:
            return self._value
        return self.check()

    def check(self) -> T:
        """Look at the file now (one ``stat``), whatever the interval: a periodic tick calls
        this so a broken edit is noticed (logged, :attr:`problem`) without a reader asking."""
        self._checked_at = self._clock()
        mtime = self._stat()
        if mtime is None or mtime == self._mtime:
            return self._value
        try:
            fresh = self._load(self.path)
            why = self._refuse(fresh, self._value) if self._refuse else None
            if why:
                raise ValueError(why)
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            self.problem = str(exc)
            if mtime != self._failed_mtime:  # once per broken version, tried again each check
                self._failed_mtime = mtime
                self._log.warning(
                    "%s not reloaded, the previous %s stay: %s", self.path.name, self._what, exc
                )
            return self._value
        self._mtime, self._value, self.problem = mtime, fresh, None
        self.reloads += 1
        self._log.info("%s reloaded", self.path.name)
        return fresh
