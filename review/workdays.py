"""Deadlines in Chinese working days (法定节假日 and 调休 included).

``chinese-calendar`` knows 2004–2026 and raises ``NotImplementedError`` for later years, yet a
message received in late December 2026 already has its deadline in 2027. For a year it does not
know we count Monday–Friday, log it once, and put "按周一至周五估算" on the deadline — unless an
admin has entered that year's holidays or 调休 days in settings (``calendar.extra_holidays`` /
``extra_workdays``, ISO dates), which always win over the library.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import chinese_calendar

from review.timefmt import SHANGHAI

log = logging.getLogger("newmedia.workdays")

ESTIMATED_NOTE = "按周一至周五估算"
#: a deadline is the end of its Beijing working day
DAY_END = time(23, 59, 59)
_warned_years: set[int] = set()


def parse_dates(values: Iterable[str]) -> frozenset[date]:
    """ISO dates from settings; a malformed one is a settings error the admin must fix."""
    out: set[date] = set()
    for value in values:
        try:
            out.add(date.fromisoformat(value.strip()))
        except ValueError:
            raise ValueError(f"日期「{value}」格式有误，应为 YYYY-MM-DD") from None
    return frozenset(out)


def is_workday(
    day: date, extra_holidays: frozenset[date], extra_workdays: frozenset[date]
) -> tuple[bool, bool]:
    """(is a working day, whether the answer is a Monday–Friday estimate)."""
    if day in extra_workdays:
        return True, False
    if day in extra_holidays:
        return False, False
    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        configured = any(d.year == day.year for d in extra_holidays | extra_workdays)
        if not configured and day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning(
                "chinese-calendar has no data for %d: counting Monday-Friday "
                "(add calendar.extra_holidays / extra_workdays in settings)",
                day.year,
            )
        return day.weekday() < 5, not configured


@functools.lru_cache(maxsize=4096)
def _add_days(
    start: date, n: int, extra_holidays: frozenset[date], extra_workdays: frozenset[date]
) -> tuple[date, bool]:
    day, counted, estimated = start, 0, False
    while counted < n:
        day += timedelta(days=1)
        working, guessed = is_workday(day, extra_holidays, extra_workdays)
        estimated = estimated or guessed
        counted += working
    return day, estimated


def add_working_days(
    start: datetime,
    n: int,
    extra_holidays: Iterable[date] = (),
    extra_workdays: Iterable[date] = (),
) -> tuple[datetime, str | None]:
    """The end (23:59:59 Beijing, returned in UTC) of the ``n``-th working day after ``start``'s
    Beijing date, and ``ESTIMATED_NOTE`` when a year on the way was guessed as Monday–Friday.

    Counting starts the day after receipt, so a message on a Friday afternoon with n=3 is due
    on Wednesday, and one on the eve of a holiday is due three working days after it ends.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    local_day = start.astimezone(SHANGHAI).date()
    due, estimated = _add_days(local_day, n, frozenset(extra_holidays), frozenset(extra_workdays))
    end = datetime.combine(due, DAY_END, tzinfo=SHANGHAI).astimezone(UTC)
    return end, (ESTIMATED_NOTE if estimated else None)


def working_days_between(
    start: datetime,
    end: datetime,
    extra_holidays: Iterable[date] = (),
    extra_workdays: Iterable[date] = (),
) -> int:
    """Working days strictly after ``start``'s Beijing date up to and including ``end``'s."""
    holidays, workdays = frozenset(extra_holidays), frozenset(extra_workdays)
    day, last, count = start.astimezone(SHANGHAI).date(), end.astimezone(SHANGHAI).date(), 0
    while day < last:
        day += timedelta(days=1)
        count += is_workday(day, holidays, workdays)[0]
    return count


def local_date_text(dt: datetime) -> str:
    """``2026年5月8日`` (Beijing date) for citizens."""
    d = dt.astimezone(SHANGHAI).date()
    return f"{d.year}年{d.month}月{d.day}日"
