"""Deadlines in Chinese working days: holidays, 调休, Beijing dates, unknown years, overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from review.workdays import (
    ESTIMATED_NOTE,
    add_working_days,
    local_date_text,
    parse_dates,
    working_days_between,
)


def bj(dt: datetime) -> date:
    from review.timefmt import SHANGHAI

    return dt.astimezone(SHANGHAI).date()


def test_national_day_and_tiaoxiu_saturday() -> None:
    # 2025: 10/1–10/8 holiday, Saturday 10/11 is a 调休 working day
    start = datetime(2025, 9, 30, 4, tzinfo=UTC)
    one, note = add_working_days(start, 1)
    three, _ = add_working_days(start, 3)
    assert (bj(one), bj(three), note) == (date(2025, 10, 9), date(2025, 10, 11), None)


def test_deadline_is_end_of_beijing_day_and_counts_from_beijing_date() -> None:
    # 17:00 UTC on 9/30 is already 10/1 01:00 in Beijing
    due, _ = add_working_days(datetime(2025, 9, 30, 17, tzinfo=UTC), 1)
    assert due == datetime(2025, 10, 9, 15, 59, 59, tzinfo=UTC)
    assert local_date_text(due) == "2025年10月9日"


def test_friday_message_due_wednesday() -> None:
    due, _ = add_working_days(datetime(2025, 6, 13, 2, tzinfo=UTC), 3)  # Friday 10:00 Beijing
    assert bj(due) == date(2025, 6, 18)


def test_unknown_year_falls_back_to_weekdays_with_note() -> None:
    due, note = add_working_days(datetime(2026, 12, 30, 4, tzinfo=UTC), 3)
    assert bj(due) == date(2027, 1, 4) and note == ESTIMATED_NOTE


def test_admin_overrides_for_unknown_year_remove_the_note() -> None:
    due, note = add_working_days(datetime(2026, 12, 30, 4, tzinfo=UTC), 3, [date(2027, 1, 1)], [])
    assert bj(due) == date(2027, 1, 5) and note is None
    # a 调休 Saturday entered by the admin counts as a working day
    due, _ = add_working_days(
        datetime(2027, 1, 7, 4, tzinfo=UTC), 2, [date(2027, 1, 1)], [date(2027, 1, 9)]
    )
    assert bj(due) == date(2027, 1, 9)


def test_overrides_win_over_the_library() -> None:
    start = datetime(2025, 6, 16, 2, tzinfo=UTC)  # Monday
    due, _ = add_working_days(start, 1, [date(2025, 6, 17)], [])
    assert bj(due) == date(2025, 6, 18)


def test_working_days_between_and_bad_input() -> None:
    assert (
        working_days_between(
            datetime(2025, 9, 30, 4, tzinfo=UTC), datetime(2025, 10, 11, 4, tzinfo=UTC)
        )
        == 3
    )
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_dates(["2027/01/01"])
    with pytest.raises(ValueError):
        add_working_days(datetime(2025, 1, 1), 1)
    assert parse_dates(["2027-01-01"]) == frozenset({date(2027, 1, 1)})
