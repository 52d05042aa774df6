"""The weekly digest's words: every count stays, lists shrink to fit WeCom's 2048 bytes, and the
digest is due from its weekday and time (Beijing) to the end of the ISO week."""

from __future__ import annotations

from datetime import datetime

from review.digest import MAX_BYTES, Digest, Section, compose, due, week_of
from review.timefmt import SHANGHAI


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def digest(n: int) -> Digest:
    lines = tuple(
        f"稿件 #{i}「关于开展冬季救助专项行动的通知之{i}」初审，已等 {i} 天" for i in range(n)
    )
    return Digest(
        "office",
        "办公室",
        2026,
        49,
        "11月30日—12月6日",
        (Section("待审核", n, lines), Section("已超期", 0, ())),
    )


def test_a_short_digest_lists_everything() -> None:
    text = compose(digest(2))
    assert text.splitlines() == [
        "办公室 每周摘要（2026年第49周，11月30日—12月6日）",
        "■ 待审核（2）",
        "· 稿件 #0「关于开展冬季救助专项行动的通知之0」初审，已等 0 天",
        "· 稿件 #1「关于开展冬季救助专项行动的通知之1」初审，已等 1 天",
        "■ 已超期：无",
    ]


def test_a_long_digest_keeps_the_counts_under_the_limit() -> None:
    text = compose(digest(300))
    assert len(text.encode()) <= MAX_BYTES < 2048
    assert "■ 待审核（300）" in text and "· 等 300 项" in text and "■ 已超期：无" in text
    assert compose(digest(300), max_bytes=200).encode().__len__() <= 200


def test_nothing_to_say_is_said() -> None:
    empty = Digest("office", "办公室", 2026, 49, "11月30日—12月6日", (Section("待审核", 0, ()),))
    assert "本周没有待办、超期或临近时限的事项。" in compose(empty)


def test_due_from_the_weekday_and_time_to_the_end_of_the_week() -> None:
    assert not due(bj("2026-12-07 08:59"), 1, "09:00")  # Monday before nine
    assert due(bj("2026-12-07 09:00"), 1, "09:00")
    assert due(bj("2026-12-09 15:00"), 1, "09:00")  # a service down on Monday sends it later
    assert not due(bj("2026-12-07 10:00"), 3, "09:00")  # Wednesday's is not due on Monday
    assert week_of(bj("2026-12-07 00:30")) == (2026, 50, "12月7日—12月13日")
    # Monday 00:30 in Beijing is still Sunday in UTC: the week is Beijing's
    assert week_of(bj("2027-01-01 10:00"))[:2] == (2026, 53)
