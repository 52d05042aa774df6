"""How long each part of a stop may take: one tree of budgets, checked to fit serve's limit.

Stopping ``newmedia serve`` (SIGTERM or Ctrl+C), every number from here::

    limit 10 s: SIGTERM → every process gone (tests/reliability/test_serve_lifecycle.py)
    ├─ primary (or single): runner.cleanup() must end within ``deadline`` = limit − exit (9 s)
    │  ├─ at once (on_shutdown): no tick starts; the publisher claims and sends nothing new
    │  ├─ requests 4 s    handlers in flight finish (a WeCom callback waits up to 3.5 s)
    │  └─ cleanup 4.5 s   cleanup_ctx, last registered first
    │     ├─ ticks 1 s    running ticks finish, then are cancelled: 0.5 s to unwind
    │     ├─ drain 2.5 s  side by side:
    │     │               publisher: calls in flight 2 s, then unsent rows handed back 0.5 s
    │     │               token leases released: ``hand_back`` (else they run out)
    │     │               background tasks (work after a response): the same 2.5 s
    │     └─ close 0.5 s  channels, database pool, HTTP session
    │     requests + cleanup = 8.5 s ≤ deadline 9 s; ``exit`` (1 s) is the loop's end
    └─ secondaries: SIGTERM at the same moment; each has the same deadline for its own
       cleanup (no ticks, no publisher) and is killed at ``secondaries`` = 9.5 s

The standalone publisher (``python -m bot.publishing.worker``) uses the publisher's part: calls
``calls``, hand back ``hand_back``, its loop ``ticks``.

A row whose call is still in flight when its budget runs out keeps its sending mark and stays
``publishing``: once its lease runs out it is reconciled with the platform, never re-sent blind.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ShutdownBudget:
    """Seconds for each part of a stop; see the module docstring for how they nest."""

    limit: float = 10.0
    requests: float = 4.0
    ticks: float = 1.0
    tick_unwind: float = 0.5
    calls: float = 2.0
    hand_back: float = 0.5
    close: float = 0.5
    #: between the cleanup deadline and the limit: the event loop ends, the process exits
    exit: float = 1.0

    def __post_init__(self) -> None:
        if not self.runner <= self.deadline < self.secondaries <= self.limit:
            raise ValueError(
                f"shutdown budgets do not nest: requests + cleanup {self.runner:g} s, "
                f"deadline {self.deadline:g} s, secondaries {self.secondaries:g} s, "
                f"limit {self.limit:g} s"
            )

    @property
    def drain(self) -> float:
        """The publisher's calls then its hand-back; background tasks get the same, beside it."""
        return self.calls + self.hand_back

    @property
    def cleanup(self) -> float:
        """The application's cleanup_ctx: ticks, then the drain, then closing."""
        return self.ticks + self.tick_unwind + self.drain + self.close

    @property
    def runner(self) -> float:
        """The most ``runner.cleanup()`` can take: handlers in flight, then the cleanup."""
        return self.requests + self.cleanup

    @property
    def deadline(self) -> float:
        """``serve`` waits this long for ``runner.cleanup()``, then exits anyway."""
        return self.limit - self.exit

    @property
    def secondaries(self) -> float:
        """A secondary still running this long after SIGTERM is killed."""
        return self.deadline + self.exit / 2


SHUTDOWN = ShutdownBudget()
