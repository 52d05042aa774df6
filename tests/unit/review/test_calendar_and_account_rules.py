"""The console calendar's periods and the accounts page's rules (pure): whole weeks from
Monday, months across a year's end, the day a post sits on in Beijing time, quiet days against
the 14-day line, and the token states."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from review import account_health as health
from review import publication_calendar as cal
from review.models import Publication
from review.timefmt import day_label


def test_a_week_runs_monday_to_sunday() -> None:
    p = cal.period("week", date(2026, 12, 3))  # a Thursday
    assert p.days[0] == date(2026, 11, 30) and p.days[-1] == date(2026, 12, 6)
    assert (p.prev, p.next) == (date(2026, 11, 23), date(2026, 12, 7))
    assert p.title == "2026年11月30日至12月6日"
    assert p.start == datetime(2026, 11, 29, 16, tzinfo=UTC)  # Beijing midnight
    assert p.end - p.start == timedelta(days=7)
    assert cal.period("anything else", date(2026, 12, 3)).view == "week"


def test_a_month_shows_whole_weeks_and_crosses_the_year() -> None:
    p = cal.period("month", date(2026, 12, 17))
    assert p.anchor == date(2026, 12, 1) and p.title == "2026年12月"
    assert p.days[0] == date(2026, 11, 30) and p.days[-1] == date(2027, 1, 3)
    assert len(p.weeks) == 5 and all(len(w) == 7 for w in p.weeks)
    assert (p.prev, p.next) == (date(2026, 11, 1), date(2027, 1, 1))
    assert not p.in_month(date(2026, 11, 30)) and p.in_month(date(2026, 12, 31))
    feb = cal.period("month", date(2027, 2, 10))  # 2027-02-01 is a Monday
    assert feb.days[0] == date(2027, 2, 1) and len(feb.days) == 28


def test_days_in_chinese_and_posts_on_their_beijing_day() -> None:
    assert day_label(date(2026, 12, 3)) == "12月3日 周四"
    assert day_label(date(2026, 12, 6)) == "12月6日 周日"
    late = Publication(id=1, status="scheduled", due_at=datetime(2026, 12, 3, 17, tzinfo=UTC))
    went = Publication(
        id=2,
        status="published",
        due_at=datetime(2026, 12, 1, 1, tzinfo=UTC),
        published_at=datetime(2026, 12, 2, 1, tzinfo=UTC),
    )
    failed = Publication(id=3, status="failed", due_at=datetime(2026, 12, 4, 0, tzinfo=UTC))
    days = cal.by_day([(late, "a"), (went, "b"), (failed, "c")])
    assert [p.id for p, _ in days[date(2026, 12, 4)]] == [3, 1]  # 01:00 Beijing; failed first
    assert [p.id for p, _ in days[date(2026, 12, 2)]] == [2]  # the day it went out
    assert cal.parse_day("2026-12-09", date(2026, 1, 1)) == date(2026, 12, 9)
    assert cal.parse_day("12/09/2026", date(2026, 1, 1)) == date(2026, 1, 1)


def test_quiet_days_against_the_fourteen_day_line() -> None:
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    created = now - timedelta(days=100)
    assert health.quiet(now - timedelta(days=3), created, now) == health.Quiet(3, "ok")
    assert health.quiet(now - timedelta(days=3), created, now).left == 11
    assert health.quiet(now - timedelta(days=7), created, now).level == "warn"
    over = health.quiet(now - timedelta(days=14), created, now)
    assert over.level == "over" and over.left == 0
    assert health.quiet(None, now - timedelta(days=2), now).days == 2  # never: since created


def test_token_states() -> None:
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    ahead = timedelta(minutes=10)
    assert health.wechat_token(now + timedelta(hours=1), now, ahead).label == "正常"
    assert health.wechat_token(now + timedelta(minutes=4), now, ahead).label == "即将过期"
    assert health.wechat_token(now - timedelta(seconds=1), now, ahead).label == "失效"
    assert health.wechat_token(None, now, ahead).label == "失效"
    assert health.weibo_token(True).label == "正常"
    assert health.weibo_token(False).label == "失效"
