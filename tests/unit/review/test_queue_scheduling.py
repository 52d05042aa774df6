from __future__ import annotations

from datetime import UTC, datetime

import pytest

from review.models import Revision
from review.scheduling import due_at, idempotency_key, next_slot, parse_slot
from review.timefmt import SHANGHAI


def bj(y: int, m: int, d: int, hh: int, mm: int) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI).astimezone(UTC)


def test_next_slot_same_day_later_slot() -> None:
    assert next_slot(bj(2026, 3, 2, 10, 0), ["09:00", "17:00"]) == bj(2026, 3, 2, 17, 0)


def test_next_slot_rolls_to_tomorrow_and_is_strictly_after() -> None:
    assert next_slot(bj(2026, 3, 2, 17, 0), ["17:00", "09:00"]) == bj(2026, 3, 3, 9, 0)


def test_next_slot_across_utc_midnight() -> None:
    # 07:30 Beijing is 23:30 UTC the day before
    assert next_slot(bj(2026, 3, 2, 7, 30), ["09:30"]) == bj(2026, 3, 2, 9, 30)


def test_bad_slot_is_refused_in_chinese() -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_slot("nine")


def test_due_at_prefers_the_revisions_time_but_never_the_past() -> None:
    now = bj(2026, 3, 2, 10, 0)
    rev = Revision(publish_at=bj(2026, 3, 5, 8, 0))
    assert due_at(rev, "a", {"a": ["09:00"]}, now) == bj(2026, 3, 5, 8, 0)
    late = Revision(publish_at=bj(2026, 3, 1, 8, 0))
    assert due_at(late, "a", {"a": ["09:00"]}, now) == now
    none = Revision(publish_at=None)
    assert due_at(none, "a", {"a": ["10:30"]}, now) == bj(2026, 3, 2, 10, 30)
    assert due_at(none, "other", {"a": ["10:30"]}, now) == bj(2026, 3, 2, 17, 0)


def test_idempotency_key_names_draft_account_revision() -> None:
    assert idempotency_key(12, 3, 2) == "p12a3r2"
