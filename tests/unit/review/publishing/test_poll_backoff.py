"""The pending poller's rules: ask again after as long as the row has waited, within bounds; one
log line when a row starts or stops failing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from review.publishing.poll_backoff import (
    CAP,
    FIRST,
    PollChange,
    change,
    is_failing,
    next_check,
    poll_error,
)

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_the_wait_doubles_from_the_first_interval_to_the_cap() -> None:
    assert next_check(T0, T0) == T0 + FIRST
    assert next_check(T0, T0 + FIRST) == T0 + 2 * FIRST
    at = T0 + timedelta(seconds=40)
    assert next_check(T0, at) == at + timedelta(seconds=40)
    late = T0 + timedelta(hours=3)
    assert next_check(T0, late) == late + CAP


def test_one_log_line_per_change_of_state() -> None:
    assert change(False, True) is PollChange.STARTS_FAILING
    assert change(True, False) is PollChange.RECOVERED
    assert change(True, True) is None and change(False, False) is None


def test_a_failing_row_is_told_by_its_last_error() -> None:
    assert is_failing(poll_error("微信拒绝请求（freepublish/get）"))
    assert not is_failing(None) and not is_failing("平台未发布：审核未通过")
