"""The citizen callback's fast path: the row committed before the passive reply, and that reply.

Everything here is pure and runs once per callback, so what repeats is memoised: the deadline
per (Beijing date, working days), the keyword lookup per text (``new_row`` and ``passive_text``
both ask), the rendered acknowledgement per (deadline, days, note) with the ticket filled in
(``review.reply_texts.ack``). The deadline is the guessed topic's (``review.topic_guess``, a
few µs) and routing keeps it, so the date the acknowledgement promises is the one tracked; the
row carries when its reply window closes (``review.reply_window``).
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from channels.base import IncomingMessage
from review import reply_texts, reply_window
from review.keyword_answers import GuideAnswer, KeywordAnswers
from review.quick_scope import QuickScope
from review.routing import default_rules
from review.states import MessageStatus
from review.store.inbox_rows import StoredMessage
from review.timefmt import SHANGHAI
from review.topic_guess import default_guesser
from review.workdays import add_working_days, working_days_between

M = MessageStatus
#: matches every text: the guess always runs
_ALWAYS = re.compile("")
GUIDE_PREFIX = "已自动答复："
#: the answer of a 办事指南 entry removed from the file between a message and WeChat's retry
GUIDE_GONE = "该条办事指南正在更新，请稍后再次咨询；如需人工答复，请直接留言说明您的具体情况。"


@dataclass(frozen=True)
class InboxPolicy:
    """Deadlines and calendar overrides, handed over from settings as plain values."""

    default_days: int = 3
    topic_days: Mapping[str, int] = field(default_factory=dict)
    reminder_hours: int = 24
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    #: when ``promised`` guesses: never (every topic has the default), when this pattern of
    #: the other topics' terms occurs, or always (``_ALWAYS``: the default topic differs)
    _differ: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        differ = frozenset(t for t, d in self.topic_days.items() if d != self.default_days)
        if differ:
            object.__setattr__(self, "_differ", _prefilter(differ))

    def days_for(self, topic: str | None) -> int:
        """Working days to answer a message of ``topic`` (shorter or longer than the default)."""
        return self.topic_days.get(topic or "", self.default_days)

    def deadline(
        self, received_at: datetime, topic: str | None = None
    ) -> tuple[datetime, str | None]:
        """Depends only on the Beijing date of receipt: memoised per (date, days, calendar)."""
        local_day = received_at.astimezone(SHANGHAI).date()
        return _deadline(local_day, self.days_for(topic), self.extra_holidays, self.extra_workdays)

    def promised(self, received_at: datetime, text: str) -> tuple[datetime, str | None]:
        """The deadline the acknowledgement promises: the guessed topic's. The guess runs only
        when the text holds a term of a topic with other days than the default (one search of
        a small pattern, ≈ 1 µs; the guess itself takes 3–10 µs)."""
        differ = self._differ
        topic = None
        if differ is not None and text and differ.search(text):
            topic = default_guesser().guess(text)
        return self.deadline(received_at, topic)

    def days_between(self, received_at: datetime, deadline_at: datetime) -> int:
        """The working days a stored deadline gives (what the acknowledgement states)."""
        return _days(
            received_at.astimezone(SHANGHAI).date(),
            deadline_at.astimezone(SHANGHAI).date(),
            self.extra_holidays,
            self.extra_workdays,
        )


#: the policy of a caller that passes none (three working days, the mainland calendar)
_DEFAULT_POLICY = InboxPolicy()


@functools.lru_cache(maxsize=16)
def _prefilter(topics: frozenset[str]) -> re.Pattern[str]:
    """Built once per set of topics (routing builds a policy per batch)."""
    found = default_guesser().prefilter(topics)
    return _ALWAYS if found is None else found


@functools.lru_cache(maxsize=256)
def _deadline(
    local_day: date, days: int, holidays: frozenset[date], workdays: frozenset[date]
) -> tuple[datetime, str | None]:
    noon = datetime.combine(local_day, time(12), tzinfo=SHANGHAI)
    return add_working_days(noon, days, holidays, workdays)


@functools.lru_cache(maxsize=256)
def _days(
    local_day: date, due_day: date, holidays: frozenset[date], workdays: frozenset[date]
) -> int:
    noon = datetime.combine(local_day, time(12), tzinfo=SHANGHAI)
    due = datetime.combine(due_day, time(12), tzinfo=SHANGHAI)
    return working_days_between(noon, due, holidays, workdays)


def new_row(
    msg: IncomingMessage,
    account_id: int,
    received_at: datetime,
    policy: InboxPolicy,
    keywords: KeywordAnswers,
) -> dict[str, Any]:
    """The row committed before the passive reply. Events and 办事指南 hits are stored closed:
    nothing for a person to answer, but the row still makes every retry a no-op."""
    status, reason = M.NEW, None
    if msg.msg_type == "event":
        status, reason = M.CLOSED, f"平台事件：{msg.event}"
    elif (
        msg.msg_type == "text"
        and msg.platform == "wechat"
        and (hit := _match(keywords, msg.text)) is not None
    ):
        status, reason = M.CLOSED, GUIDE_PREFIX + hit.title
    deadline, note = (None, None) if status is M.CLOSED else policy.promised(received_at, msg.text)
    return {
        "account_id": account_id,
        "platform": str(msg.platform),
        "dedup_key": msg.dedup_key,
        "sender": msg.sender,
        "msg_type": msg.msg_type[:32],
        "event": (msg.event or None) and msg.event[:64],
        "text": msg.text,
        "remote_ref": msg.remote_ref,
        "received_at": received_at,
        "sent_at": msg.created_at,
        "status": str(status),
        "processed": False,
        "hot": False,
        "deadline_at": deadline,
        "deadline_note": note,
        "close_reason": reason,
        "reply_window_closes_at": reply_window.closes_at(msg.platform, msg.msg_type, received_at),
    }


def passive_text(
    stored: StoredMessage,
    account_name: str,
    keywords: KeywordAnswers,
    scope: QuickScope | None = None,
    policy: InboxPolicy | None = None,
) -> str | None:
    """The passive reply, derived only from the stored row so every retry gets the same one.
    ``None`` means answer "success" (nothing shown)."""
    policy = policy or _DEFAULT_POLICY
    if stored.msg_type == "event":
        return (
            reply_texts.welcome(account_name, policy.default_days)
            if (stored.event or "").lower() == "subscribe"
            else None
        )
    if stored.msg_type == "text":
        reason = stored.close_reason or ""
        if reason.startswith(GUIDE_PREFIX):  # stored as a 办事指南 answer: a retry gets it again
            title = reason.removeprefix(GUIDE_PREFIX)
            hit = _match(keywords, stored.text)
            guide = hit if hit is not None and hit.title == title else keywords.by_title(title)
            return reply_texts.guide(title, guide.answer if guide else GUIDE_GONE)
        outside = scope.outside(stored.text) if scope is not None else None
        if outside is not None:
            terms = "、".join(outside.terms)
            return reply_texts.outside(stored.id, terms, outside.to, default_rules().hotline)
    days = (
        policy.days_between(stored.received_at, stored.deadline_at)
        if stored.deadline_at is not None and stored.received_at is not None
        else None
    )
    media = stored.msg_type != "text"
    return reply_texts.ack(stored.id, stored.deadline_at, stored.deadline_note, days, media=media)


_MATCHES: weakref.WeakKeyDictionary[KeywordAnswers, dict[str, GuideAnswer | None]] = (
    weakref.WeakKeyDictionary()
)


def _match(keywords: KeywordAnswers, text: str) -> GuideAnswer | None:
    """``keywords.match`` memoised per text (only short texts can match at all)."""
    if not text or len(text) > 60:
        return None
    cache = _MATCHES.get(keywords)
    if cache is None:
        cache = _MATCHES[keywords] = {}
    if text not in cache:
        if len(cache) >= 4096:
            cache.clear()
        cache[text] = keywords.match(text)
    return cache[text]
