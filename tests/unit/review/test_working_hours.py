"""Working hours between two moments: office periods only, weekends, 法定节假日 and 调休."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from review.timefmt import SHANGHAI
from review.working_hours import HOURS_PER_DAY, percentile, working_hours_between


def bj(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


def test_the_office_day_is_seven_hours() -> None:
    assert HOURS_PER_DAY == 7
    assert working_hours_between(bj(2025, 3, 3, 0), bj(2025, 3, 4, 0)) == 7


def test_lunch_is_not_counted() -> None:
    # Tuesday 11:00 → 14:30: 11–12 and 13:30–14:30
    assert working_hours_between(bj(2025, 3, 11, 11), bj(2025, 3, 11, 14, 30)) == 2


def test_a_weekend_is_not_counted() -> None:
    # Friday 17:00 → Monday 10:00: half an hour on Friday, one on Monday
    assert working_hours_between(bj(2025, 2, 28, 17), bj(2025, 3, 3, 10)) == 1.5


def test_the_spring_festival_is_not_counted() -> None:
    # 2025: 28 January – 4 February off; Monday 27 January 16:00 → Wednesday 5 February 10:00
    assert working_hours_between(bj(2025, 1, 27, 16), bj(2025, 2, 5, 10)) == 2.5


def test_a_make_up_sunday_counts() -> None:
    # Sunday 27 April 2025 was a 调休 working day: 9:00–12:00 counted
    assert working_hours_between(bj(2025, 4, 27, 8), bj(2025, 4, 27, 12)) == 3


def test_the_settings_holidays_win() -> None:
    day = bj(2025, 3, 4, 9)
    assert working_hours_between(day, bj(2025, 3, 4, 12), extra_holidays=[date(2025, 3, 4)]) == 0
    sunday = bj(2025, 3, 9, 9)
    assert working_hours_between(sunday, bj(2025, 3, 9, 10), extra_workdays=[date(2025, 3, 9)]) == 1


def test_reversed_is_zero_and_naive_is_refused() -> None:
    assert working_hours_between(bj(2025, 3, 4, 10), bj(2025, 3, 4, 9)) == 0
    with pytest.raises(ValueError):
        working_hours_between(datetime(2025, 3, 4, 9), bj(2025, 3, 4, 10))


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0], 90) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([1.0, 1.5, 2.0], 90) == pytest.approx(1.9)
