"""The annual figures from plain rows, checked against numbers worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from review.reports import charts
from review.reports.annual import (
    ArticleRow,
    FollowerRow,
    GateRow,
    Inputs,
    MessageRow,
    PostRow,
    ReviewRow,
    build,
    first_monday,
    message_outcome,
)
from review.timefmt import SHANGHAI

WX, WB = "长春民政（微信）", "长春民政（微博）"


def bj(m: int, d: int, h: int = 0, mi: int = 0, y: int = 2025) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


def msg(topic: str | None, dept: str | None, received: datetime, deadline: datetime | None,
        answered: datetime | None, *, route: str | None = None, transferred: bool = False,
        dismissed: bool = False) -> MessageRow:  # fmt: skip
    return MessageRow(received, topic, dept, deadline, answered, answered is not None, route,
                      transferred, dismissed)  # fmt: skip


def inputs() -> Inputs:
    return Inputs(
        year=2025,
        posts=[
            PostRow(WX, "wechat", "工作动态", bj(1, 1, 9)),  # week 1 (Monday 30 Dec 2024)
            PostRow(WX, "wechat", "通知公告", bj(1, 6, 9)),  # week 2
            PostRow(WB, "weibo", "工作动态", bj(1, 7, 9)),  # week 2
        ],
        gates=[
            GateRow(bj(1, 2), ("wording", "personal_data")),
            GateRow(bj(1, 3), ("wording", "wording")),  # one run counts a check once
        ],
        reviews=[
            ReviewRow(WX, bj(2, 28, 17), bj(3, 3, 10)),  # weekend: 1.5 h
            ReviewRow(WX, bj(1, 27, 16), bj(2, 5, 10)),  # Spring Festival: 2.5 h
            ReviewRow(WB, bj(3, 11, 11), bj(3, 11, 14, 30)),  # lunch: 2 h
        ],
        messages=[
            msg("低保", "社会救助处", bj(3, 3, 10), bj(3, 6, 23, 59), bj(3, 3, 11), route="cs"),
            msg(
                "低保",
                "社会救助处",
                bj(3, 3, 10),
                bj(3, 6, 23, 59),
                bj(3, 7, 9),
                route="phone",
                transferred=True,
            ),
            msg("养老服务", None, bj(3, 4, 10), bj(3, 7, 23, 59), None),
            msg("养老服务", None, bj(12, 30, 10), bj(1, 5, 23, 59, y=2026), None),  # not yet due
            msg(None, None, bj(3, 4, 10), None, None, dismissed=True),
        ],
        articles=[ArticleRow(WX, "甲", 10, 1), ArticleRow(WX, "乙", 30, 3)],
        followers=[
            FollowerRow(WX, date(2025, 12, 31), 3, 1, 502),
            FollowerRow(WX, date(2025, 1, 1), 5, 0, 500),
        ],
        as_of=bj(12, 31, 12),
    )


def test_posts_per_account_and_kind() -> None:
    t = build(inputs()).table("posts")
    assert t.headers == ("账号", "工作动态", "通知公告", "合计")
    assert t.rows == ((WX, 1, 1, 2), (WB, 1, 0, 1), ("合计", 2, 1, 3))


def test_gate_blocks_by_check_in_chinese() -> None:
    report = build(inputs())
    assert report.blocks_by_reason == {"错敏词": 2, "个人信息": 1}
    assert report.table("gate_blocks").rows[-1] == ("合计（被拦截的提交）", 2)


def test_review_time_median_and_90th_percentile_in_working_hours() -> None:
    rows = build(inputs()).table("review_time").rows
    # 长春民政（微信）: 1.5 and 2.5 → median 2.0, p90 1.5 + 0.9 × 1.0 = 2.4
    assert rows == ((WX, 2, 2.0, 2.4), (WB, 1, 2.0, 2.0), ("合计", 3, 2.0, 2.4))


def test_messages_by_topic_and_department() -> None:
    report = build(inputs())
    assert report.table("messages_by_topic").rows == (
        ("低保", 2, 1, 1, 0, 1),
        ("养老服务", 2, 0, 0, 1, 0),  # one overdue, one not yet due
        ("未分类", 1, 0, 0, 0, 0),  # dismissed: neither in time nor late
        ("合计", 5, 1, 1, 1, 1),
    )
    assert report.table("messages_by_department").rows == (
        ("社会救助处", 2, 1, 1, 0, 1),
        ("未分派", 3, 0, 0, 1, 0),
        ("合计", 5, 1, 1, 1, 1),
    )
    assert report.table("answer_routes").rows == (("客服消息", 1), ("电话答复", 1))


def test_a_message_closed_without_an_answer_is_not_answered_in_time() -> None:
    """办结 with no reply recorded (a person closed it): neither 按时答复 nor 逾期答复."""
    received = datetime(2025, 3, 3, 9, tzinfo=SHANGHAI)
    closed = MessageRow(
        received_at=received,
        topic="养老服务",
        department="养老服务处",
        deadline_at=received + timedelta(days=3),
        answered_at=None,
        answered=True,  # status closed
        route=None,
        transferred=False,
    )
    assert message_outcome(closed, received + timedelta(days=10)) == "closed"
    answered = replace(closed, answered_at=received + timedelta(days=1))
    assert message_outcome(answered, received + timedelta(days=10)) == "in_time"


def test_wechat_reads_shares_and_followers() -> None:
    report = build(inputs())
    assert report.table("wechat_articles").rows == (
        (WX, "乙", 30, 3), (WX, "甲", 10, 1), ("合计", "2 篇", 40, 4),
    )  # fmt: skip
    assert report.table("wechat_followers").rows == ((WX, 8, 1, 502, "2025-12-31"),)


def test_weekly_series() -> None:
    report = build(inputs())
    assert first_monday(2025) == date(2024, 12, 30)
    assert report.posts_weekly.series[WX][:2] == (1.0, 1.0)
    assert report.posts_weekly.series[WB][:2] == (0.0, 1.0)
    week = (date(2025, 3, 3) - first_monday(2025)).days // 7
    assert report.messages_weekly.series["收到留言"][week] == 4
    # answered that week: after 1 working hour, and Monday 10:00 → Friday 9:00 (Monday 6 h,
    # Tuesday–Thursday 3 × 7 h, Friday none) = 27 h: median 14
    hours = report.answer_hours_weekly.series["答复用时中位数（工作小时）"]
    assert hours[week] == 14.0


def test_the_charts_are_svg_with_their_series_as_text_and_deterministic() -> None:
    report = build(inputs())
    drawn = charts.annual_charts(report)
    assert set(drawn) == {"posts", "messages", "blocks"}
    assert all(svg.startswith("<svg") for svg in drawn.values())
    assert {WX, WB, "每周发布量（按账号）"} <= set(charts.texts(drawn["posts"]))
    assert {"收到留言", "答复用时中位数（工作小时）"} <= set(charts.texts(drawn["messages"]))
    assert {"错敏词", "个人信息"} <= set(charts.texts(drawn["blocks"]))
    assert "<dc:date>" not in drawn["posts"]
    assert charts.annual_charts(build(inputs())) == drawn
