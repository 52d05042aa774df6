"""Time in working hours: how long something waited while the bureau was at work.

The one definition of the office day: 9:00–12:00 and 13:30–17:30 Beijing time (7 hours) on
the working days of ``review/workdays.py`` (法定节假日 and 调休 from chinese-calendar, the
settings' extra holidays and working days winning). A review submitted on Friday at 17:00 and
approved on Monday at 9:30 took one hour, not two and a half days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from review.timefmt import SHANGHAI
from review.workdays import is_workday

#: the office day (Beijing): morning and afternoon
PERIODS: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))
HOURS_PER_DAY = (
    sum(
        (datetime.combine(date.min, b) - datetime.combine(date.min, a)).total_seconds()
        for a, b in PERIODS
    )
    / 3600
)


def working_hours_between(
    start: datetime,
    end: datetime,
    extra_holidays: Iterable[date] = (),
    extra_workdays: Iterable[date] = (),
) -> float:
    """Hours of ``[start, end]`` that fall in the office day of a working day (0 if reversed)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if end <= start:
        return 0.0
    holidays, workdays = frozenset(extra_holidays), frozenset(extra_workdays)
    lo, hi = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
    day, seconds = lo.date(), 0.0
    while day <= hi.date():
        if is_workday(day, holidays, workdays)[0]:
            for a, b in PERIODS:
                p0 = datetime.combine(day, a, tzinfo=SHANGHAI)
                p1 = datetime.combine(day, b, tzinfo=SHANGHAI)
                overlap = (min(p1, hi) - max(p0, lo)).total_seconds()
                seconds += max(0.0, overlap)
        day += timedelta(days=1)
    return seconds / 3600


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100) with linear interpolation between ranks (numpy's
    default, "type 7"); None for no values. The median is ``percentile(v, 50)``."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
