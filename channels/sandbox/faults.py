"""Scriptable failures: "the next N calls to this endpoint fail like so".

A fault with only ``delay`` does the work and then answers late - the client has timed out, but
the platform did the work, which is exactly the case crash reconciliation exists for. ``hold``
is the same without a clock: the answer waits until the test sets the event, so the client's
timeout is certain to fire first however loaded the machine is.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass
class Fault:
    endpoint: str
    remaining: int
    errcode: int | None = None
    status: int | None = None
    delay: float | None = None
    platform: str | None = None
    hold: asyncio.Event | None = None


class Faults:
    def __init__(self) -> None:
        self._pending: list[Fault] = []

    def fail_next(
        self,
        endpoint: str,
        n: int = 1,
        *,
        errcode: int | None = None,
        status: int | None = None,
        delay: float | None = None,
        platform: str | None = None,
        hold: asyncio.Event | None = None,
    ) -> None:
        """Fail the next ``n`` calls of ``endpoint`` (``"cgi-bin/freepublish/submit"``).

        ``errcode``: answer the platform's error body with it; ``status``: answer that HTTP
        status; ``delay`` alone: do the work, answer only after ``delay`` (past the client timeout);
        ``delay`` with errcode/status: wait, then fail; none of them: HTTP 500.
        ``hold`` alone: do the work, answer only once the event is set (in-process tests: set it
        after the client timed out, and before the server shuts down).
        ``platform`` ("wechat", "weibo", "wecom") narrows a path both WeChat and WeCom have."""
        if n < 1:
            raise ValueError("n must be >= 1")
        fault = Fault(endpoint.lstrip("/"), n, errcode, status, delay, platform, hold)
        self._pending.append(fault)

    def take(self, platform: str, endpoint: str) -> Fault | None:
        """The fault to apply to this call, if any; consumes one of its ``n``."""
        for fault in self._pending:
            if fault.endpoint == endpoint and fault.platform in (None, platform):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._pending.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self._pending.clear()

    @property
    def pending(self) -> list[Fault]:
        return list(self._pending)
