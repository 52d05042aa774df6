"""The reply window: until when a platform still takes the account's messages to a citizen.

WeChat (platforms.md §2.3): a citizen's message opens 48 hours in which the account may send
5 customer-service messages (45015 after it, 45047 over the count); Weibo's fan service (§3.5):
48 hours, no count. Comments, @mentions and events open no window — their answer is public.

This is the one home of that rule: the callback's fast path stamps each row with it, routing
reopens a citizen's other messages when they write again, an answer asks it before calling the
platform, and the window clock plans reminders, the head's escalation and the automatic interim
reply against it. Pure: no I/O, time comes in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from review.timefmt import short_time

OUTSIDE = "outside_48h"
OVER_COUNT = "over_count"
#: WeChat's answers for a message outside the window (45015) or over its count (45047)
WINDOW_CODES = frozenset({45015, 45047, "45015", "45047"})


@dataclass(frozen=True)
class WindowRule:
    """One platform's private-message window."""

    hours: float = 48
    #: messages the account may send per window (None: no count limit)
    max_messages: int | None = 5
    name: str = "微信客服消息"

    @property
    def length(self) -> timedelta:
        return timedelta(hours=self.hours)


WECHAT = WindowRule(48, 5, "微信客服消息")
WEIBO = WindowRule(48, None, "微博粉丝服务私信")
_RULES = {"wechat": WECHAT, "weibo": WEIBO}
#: (platform, kind) → window length: the callback asks once per message
_LENGTHS: dict[tuple[str, str], timedelta] = {}
#: what a citizen sends in a private conversation (WeChat MsgType, Weibo fan-service push type);
#: ``event``, ``comment`` and ``mention`` are not among them
PRIVATE = frozenset(
    {"text", "image", "voice", "video", "shortvideo", "location", "link", "file", "position"}
)


def rule_for(platform: str, msg_type: str) -> WindowRule | None:
    """The window a message of this platform and kind opens, or None (comments, events)."""
    return _RULES.get(platform) if msg_type in PRIVATE else None


def closes_at(platform: str, msg_type: str, received_at: datetime) -> datetime | None:
    """When the window this message opens closes (None: it opens none)."""
    length = _LENGTHS.get((platform, msg_type))
    if length is None:
        rule = rule_for(platform, msg_type)
        if rule is None:
            return None
        length = _LENGTHS[(platform, msg_type)] = rule.length
    return received_at + length


def problem(rule: WindowRule, closes: datetime | None, now: datetime, sent: int) -> str | None:
    """Why the account cannot write to the citizen now: ``outside_48h`` (the window of their
    last message has closed), ``over_count`` (``sent`` messages already went out in it)."""
    if closes is None or now >= closes:
        return OUTSIDE
    if rule.max_messages is not None and sent >= rule.max_messages:
        return OVER_COUNT
    return None


def opened_at(rule: WindowRule, closes: datetime) -> datetime:
    """When the window closing at ``closes`` opened (the count limit counts from there)."""
    return closes - rule.length


def describe(closes: datetime | None, now: datetime) -> str:
    """What staff read: 「回复窗口 12月7日 18:00 关闭」, 「回复窗口已关闭」 or 「无回复窗口」."""
    if closes is None:
        return "无回复窗口"
    if closes <= now:
        return "回复窗口已关闭"
    return f"回复窗口 {short_time(closes)} 关闭"


# ---- planning against the window --------------------------------------------------------------

StepKind = Literal["remind", "escalate", "interim"]


@dataclass(frozen=True)
class WindowPlan:
    """Settings as plain values: hours before the window closes."""

    reminder_hours: tuple[float, ...] = (24, 6)
    escalate_hours: float = 2
    #: 0: no automatic interim reply
    interim_hours: float = 4

    @property
    def horizon(self) -> timedelta:
        """How long before closing anything is planned (the query's look-ahead)."""
        return timedelta(hours=max((*self.reminder_hours, self.escalate_hours, self.interim_hours)))


@dataclass(frozen=True)
class Step:
    kind: StepKind
    hours: float
    #: when it became due (closing time minus ``hours``)
    at: datetime


def needs_interim(deadline: datetime | None, closes: datetime | None) -> bool:
    """An interim reply is wanted only when the promised answer falls after the window."""
    return deadline is not None and closes is not None and deadline > closes


def due_steps(
    plan: WindowPlan,
    closes: datetime | None,
    now: datetime,
    *,
    deadline: datetime | None,
    interim_claimed: bool,
) -> list[Step]:
    """What is due now for one unanswered message. Of the reminders only the latest passed one
    (a tick that ran late sends the 6-hour reminder, not the 24-hour one too); nothing once the
    window has closed. Callers make each step happen once (dedup keys, a guarded claim)."""
    if closes is None or now >= closes:
        return []
    steps: list[Step] = []

    def point(hours: float) -> datetime:
        return closes - timedelta(hours=hours)

    passed = [h for h in plan.reminder_hours if point(h) <= now]
    if passed:
        h = min(passed)
        steps.append(Step("remind", h, point(h)))
    if plan.escalate_hours and point(plan.escalate_hours) <= now:
        steps.append(Step("escalate", plan.escalate_hours, point(plan.escalate_hours)))
    if (
        plan.interim_hours
        and not interim_claimed
        and point(plan.interim_hours) <= now
        and needs_interim(deadline, closes)
    ):
        steps.append(Step("interim", plan.interim_hours, point(plan.interim_hours)))
    return steps


def hours_text(hours: float) -> str:
    """``6 小时`` / ``1.5 小时`` for a sentence."""
    return f"{hours:g} 小时"
