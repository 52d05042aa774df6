"""The inspection's pure rules on fixed dates, against numbers worked out by hand; and every
threshold names its source (the national checklist item, or 「本局设定」)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from review import inspection_rules as r

AS_OF = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # 12:00 Beijing
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last", "days", "status"),
    [
        (AS_OF - timedelta(days=6, hours=23), 6, r.PASS),
        (AS_OF - timedelta(days=7), 7, r.AT_RISK),
        (AS_OF - timedelta(days=13, hours=23, minutes=59), 13, r.AT_RISK),
        (AS_OF - timedelta(days=14), 14, r.FAIL),  # two weeks without an update: the veto
        (None, 336, r.FAIL),  # never posted: counted from the account's creation (Jan 1)
    ],
)
def test_the_fourteen_day_clock(last: datetime | None, days: int, status: str) -> None:
    assert r.quiet_days(last, CREATED, AS_OF) == days
    assert r.update_status(days) == status


def test_a_new_account_is_not_quiet_before_its_first_two_weeks() -> None:
    created = AS_OF - timedelta(days=3)
    assert r.update_status(r.quiet_days(None, created, AS_OF)) == r.PASS


def test_answer_states() -> None:
    deadline = AS_OF - timedelta(days=2)
    state = r.answer_state
    assert state(deadline, deadline - timedelta(hours=1), True, AS_OF) == r.ON_TIME
    assert state(deadline, deadline + timedelta(hours=1), True, AS_OF) == r.LATE
    assert state(deadline, None, False, AS_OF) == r.MISSING
    # answered only after the report's moment: as of then it was still missing
    assert state(deadline, AS_OF + timedelta(days=1), True, AS_OF) == r.MISSING
    assert state(AS_OF + timedelta(hours=23), None, False, AS_OF) == r.DUE
    assert state(AS_OF + timedelta(hours=25), None, False, AS_OF) == r.OPEN
    assert state(deadline, None, True, AS_OF) == r.SETTLED  # closed as spam, no answer time
    assert state(None, None, False, AS_OF) == r.OPEN


def test_unanswered_messages_veto_only_after_thirty_days_past_the_deadline() -> None:
    assert r.overdue_days(AS_OF - timedelta(days=30, hours=1), AS_OF) == 30
    assert r.interaction_status([]) == r.PASS
    assert r.interaction_status([0, 29]) == r.AT_RISK
    assert r.interaction_status([2, 30]) == r.FAIL


def test_answers_deduction() -> None:
    assert r.answers_status(late=0, missing=0, due_soon=0) == r.PASS
    assert r.answers_status(late=0, missing=0, due_soon=2) == r.AT_RISK
    assert r.answers_status(late=1, missing=0, due_soon=0) == r.FAIL
    assert r.answers_status(late=0, missing=1, due_soon=0) == r.FAIL


def test_serious_errors_need_both_an_overridden_block_and_a_retraction_to_fail() -> None:
    assert r.accuracy_status(set(), set()) == r.PASS
    assert r.accuracy_status({3}, set()) == r.AT_RISK
    assert r.accuracy_status(set(), {4}) == r.AT_RISK
    assert r.accuracy_status({3, 5}, {4, 5}) == r.FAIL


def test_every_threshold_names_its_source() -> None:
    national = [t for t in r.THRESHOLDS if t.source.startswith(r.NATIONAL)]
    # the checklist fixes one number: two weeks without an update
    assert [(t.key, t.value) for t in national] == [("quiet_fail", 14)]
    assert all(t.source == r.BUREAU for t in r.THRESHOLDS if t not in national)
    assert r.UNANSWERED_FAIL.source == r.BUREAU  # the 30 days are the bureau's, said so
    for item in r.ACCOUNT_ITEMS:
        assert item.indicator.startswith(r.NATIONAL) or item.indicator == r.BUREAU
    assert r.interpretation_threshold(3).source.startswith(r.BUREAU)
    assert r.press_threshold(1).value == 1
