"""When to ask the platform again about a post it is still processing, and when to say so (pure).

WeChat takes a while to finish a publish and its event may never come, so pending rows are
polled. Asking about every row at every tick, and logging every failed answer each time, flooded
the log after a demo restart (thousands of 40097 in minutes). A row is asked again after as long
as it has already waited — doubling from ``FIRST`` up to ``CAP`` — and a row whose polls fail is
logged when it starts failing and when it answers again (or is given up), not at each poll.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

#: the first wait after a row became pending, and the longest between two polls
FIRST = timedelta(seconds=2)
CAP = timedelta(minutes=5)
#: start of ``last_error`` while the platform's status query keeps failing (staff see it too)
POLL_FAILED = "查询发布结果失败"


class PollChange(Enum):
    """What a poll changed about a row's polling, worth one log line."""

    STARTS_FAILING = "starts failing"
    RECOVERED = "answers again"


def next_check(
    pending_since: datetime, now: datetime, *, first: timedelta = FIRST, cap: timedelta = CAP
) -> datetime:
    """Ask again after as long as the row has waited so far, at least ``first``, at most ``cap``."""
    waited = now - pending_since
    return now + min(cap, max(first, waited))


def poll_error(detail: str) -> str:
    return f"{POLL_FAILED}：{detail}"


def is_failing(last_error: str | None) -> bool:
    """The row's last poll failed (a pending row has no other ``last_error``)."""
    return bool(last_error and last_error.startswith(POLL_FAILED))


def change(was_failing: bool, failing: bool) -> PollChange | None:
    """The one log line a poll deserves: only when the row starts or stops failing."""
    if failing and not was_failing:
        return PollChange.STARTS_FAILING
    if was_failing and not failing:
        return PollChange.RECOVERED
    return None
