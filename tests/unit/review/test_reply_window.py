"""The reply window rule and what is planned against it (pure, on a fake clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from review import reply_window as rw
from review.timefmt import SHANGHAI

FRIDAY_18 = datetime(2026, 12, 4, 18, 0, tzinfo=SHANGHAI).astimezone(UTC)
CLOSES = FRIDAY_18 + timedelta(hours=48)
WEDNESDAY = datetime(2026, 12, 9, 23, 59, 59, tzinfo=SHANGHAI).astimezone(UTC)
PLAN = rw.WindowPlan(reminder_hours=(24, 6), escalate_hours=2, interim_hours=4)


@pytest.mark.parametrize(
    ("platform", "msg_type", "closes"),
    [
        ("wechat", "text", CLOSES),
        ("wechat", "image", CLOSES),
        ("weibo", "text", CLOSES),
        ("wechat", "event", None),
        ("wechat", "comment", None),
        ("weibo", "comment", None),
        ("weibo", "mention_status", None),
    ],
)
def test_which_messages_open_a_window(platform: str, msg_type: str, closes: object) -> None:
    assert rw.closes_at(platform, msg_type, FRIDAY_18) == closes


def test_counts_apply_to_wechat_only() -> None:
    assert rw.rule_for("wechat", "text") == rw.WECHAT and rw.WECHAT.max_messages == 5
    assert rw.rule_for("weibo", "text") == rw.WEIBO and rw.WEIBO.max_messages is None
    inside = CLOSES - timedelta(hours=1)
    assert rw.problem(rw.WECHAT, CLOSES, inside, 4) is None
    assert rw.problem(rw.WECHAT, CLOSES, inside, 5) == rw.OVER_COUNT
    assert rw.problem(rw.WEIBO, CLOSES, inside, 500) is None
    assert rw.problem(rw.WECHAT, CLOSES, CLOSES, 0) == rw.OUTSIDE
    assert rw.problem(rw.WEIBO, None, inside, 0) == rw.OUTSIDE
    assert rw.opened_at(rw.WECHAT, CLOSES) == FRIDAY_18


def test_description_for_staff() -> None:
    assert rw.describe(CLOSES, FRIDAY_18) == "回复窗口 12月6日 18:00 关闭"
    assert rw.describe(CLOSES, CLOSES) == "回复窗口已关闭"
    assert rw.describe(None, FRIDAY_18) == "无回复窗口"


def _kinds(now: datetime, **kw: object) -> list[tuple[str, float]]:
    args: dict[str, object] = {"deadline": WEDNESDAY, "interim_claimed": False, **kw}
    return [(s.kind, s.hours) for s in rw.due_steps(PLAN, CLOSES, now, **args)]  # type: ignore[arg-type]


def test_steps_due_as_the_clock_moves() -> None:
    assert _kinds(CLOSES - timedelta(hours=25)) == []
    assert _kinds(CLOSES - timedelta(hours=24)) == [("remind", 24)]
    assert _kinds(CLOSES - timedelta(hours=6)) == [("remind", 6)]  # the latest passed only
    assert _kinds(CLOSES - timedelta(hours=4)) == [("remind", 6), ("interim", 4)]
    assert _kinds(CLOSES - timedelta(hours=1)) == [("remind", 6), ("escalate", 2), ("interim", 4)]
    assert _kinds(CLOSES) == []  # closed: nothing more


def test_interim_only_once_and_only_when_the_answer_falls_after_the_window() -> None:
    late = CLOSES - timedelta(hours=3)
    assert ("interim", 4) not in _kinds(late, interim_claimed=True)
    assert ("interim", 4) not in _kinds(late, deadline=CLOSES - timedelta(hours=1))
    assert ("interim", 4) not in _kinds(late, deadline=None)
    off = rw.WindowPlan(reminder_hours=(), escalate_hours=2, interim_hours=0)
    assert [s.kind for s in rw.due_steps(off, CLOSES, late, deadline=WEDNESDAY,
                                         interim_claimed=False)] == []  # fmt: skip


def test_step_times_and_horizon() -> None:
    step = rw.due_steps(PLAN, CLOSES, CLOSES - timedelta(hours=5), deadline=None,
                        interim_claimed=False)[0]  # fmt: skip
    assert (step.kind, step.at) == ("remind", CLOSES - timedelta(hours=6))
    assert PLAN.horizon == timedelta(hours=24)
