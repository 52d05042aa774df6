"""A press release or conference each quarter: counted by the Beijing date, a quarter under
way is open until it meets the minimum, a finished one short of it is short."""

from __future__ import annotations

from datetime import datetime

from review.press import MET, OPEN, SHORT, PressItem, quarterly
from review.timefmt import SHANGHAI


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


ITEMS = [
    PressItem(1, "一季度发布会", "新闻发布会", bj("2026-03-31 23:30")),  # Q1 in Beijing time
    PressItem(2, "三季度通稿", "新闻发布稿", bj("2026-07-01 00:10")),
    PressItem(3, "三季度发布会", "新闻发布会", bj("2026-09-15 10:00")),
    PressItem(4, "去年的", "新闻发布稿", bj("2025-12-30 10:00")),
]


def test_quarters_so_far_with_their_counts_and_states() -> None:
    quarters = quarterly(ITEMS, 2026, 1, bj("2026-12-03 12:00"))
    got = [(q.quarter, q.count, q.state) for q in quarters]
    assert got == [(1, 1, MET), (2, 0, SHORT), (3, 2, MET), (4, 0, OPEN)]
    assert quarters[2].to_json()["items"][0]["draft_id"] == 2


def test_a_past_year_has_four_quarters_and_a_future_year_none() -> None:
    assert [q.state for q in quarterly(ITEMS, 2025, 1, bj("2026-12-03 12:00"))] == [
        SHORT,
        SHORT,
        SHORT,
        MET,
    ]
    assert quarterly(ITEMS, 2027, 1, bj("2026-12-03 12:00")) == []
    two = quarterly(ITEMS, 2026, 2, bj("2026-12-03 12:00"))
    assert [q.met for q in two] == [False, False, True, False]
