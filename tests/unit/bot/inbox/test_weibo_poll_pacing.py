"""The Weibo poll's pacing (pure): the daily call budget spread over the Beijing day, and the
three lists taking turns at going first."""

from __future__ import annotations

from datetime import datetime

from bot.inbox.weibo_poll import allowance, turn
from review.timefmt import SHANGHAI


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 3, hour, minute, tzinfo=SHANGHAI)


def test_the_budget_is_spread_over_the_day_with_one_poll_ahead() -> None:
    assert allowance(60, at(0)) == 3  # one page of each list at midnight
    assert allowance(60, at(6)) == 15 + 3
    assert allowance(60, at(12)) == 30 + 3
    assert allowance(60, at(23, 59)) == 60  # never above the budget
    assert allowance(2, at(0)) == 2


def test_the_lists_take_turns_at_going_first() -> None:
    names = [turn(at(0, m), 20 * 60)[0].name for m in (0, 20, 40)]
    assert names == ["comments", "mentions", "comment_mentions"]
    assert [k.name for k in turn(at(1), 20 * 60)] == ["comments", "mentions", "comment_mentions"]
    assert sorted(k.name for k in turn(at(0, 20), 20 * 60)) == [
        "comment_mentions",
        "comments",
        "mentions",
    ]
