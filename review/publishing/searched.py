"""What a lookup by key searched, kept on the row and worded for staff: one home for the words.

A channel that could not find a post says what it looked at (``channels.base.Search``). The
facts are stored in ``receipt_extra`` under ``searched_*`` keys, so whoever settles the row later
(``resolution.settle``) knows whether the search reached the send time; the sentences staff read
in ``last_error``, the alert and the settle warning are all built here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from channels.base import Absence, Search
from review.timefmt import fmt

COMPLETE = "searched_complete"
ITEMS = "searched_items"
PAGES = "searched_pages"
BACK_TO = "searched_back_to"
SINCE = "searched_since"
ABSENCE = "searched_absence"


def as_extra(search: Search) -> dict[str, str]:
    """The search as ``receipt_extra`` entries (strings, ISO times)."""
    extra = {
        COMPLETE: "1" if search.complete else "0",
        ITEMS: str(search.items),
        PAGES: str(search.pages),
        ABSENCE: str(search.absence),
    }
    if search.back_to is not None:
        extra[BACK_TO] = search.back_to.isoformat()
    if search.since is not None:
        extra[SINCE] = search.since.isoformat()
    return extra


def describe(search: Search) -> str:
    """One sentence naming the window searched, e.g. 「已查至 2026-12-02 10:03（共 137 条），未找到」."""
    since = f"发送时间 {fmt(search.since)}" if search.since else "发送时间（不明）"
    if search.absence is Absence.IDEMPOTENT:
        if search.complete:
            return (
                f"群发无法按编号查询；{since} 在平台记住群发编号的 24 小时内"
                "（重发时平台按 clientmsgid 返回原群发，不会重复推送）"
            )
        return f"群发无法按编号查询；{since} 早于平台记住群发编号的时限 {fmt(search.back_to)}"
    if search.complete:
        if not search.items:
            return "账号中没有任何已发布内容，未找到"
        return f"已查至 {fmt(search.back_to)}（共 {search.items} 条），未找到"
    return (
        f"只查了最近 {search.pages} 页（{search.items} 条，最早 {fmt(search.back_to)}），"
        f"未查到{since}，未找到"
    )


def incomplete_warning(extra: Mapping[str, str] | None) -> str | None:
    """For a person about to send again: the warning when the last search did not reach the
    send time (None when it did, or when no search was recorded)."""
    extra = extra or {}
    if extra.get(COMPLETE) != "0":
        return None
    back_to, since = _time(extra.get(BACK_TO)), _time(extra.get(SINCE))
    until = f"发送时间 {fmt(since)}" if since else "发送时间"
    if extra.get(ABSENCE) == Absence.IDEMPOTENT:
        return (
            f"注意：该群发的{until}已超出平台按编号去重的 24 小时，"
            "平台不会识别重发，重发可能造成重复推送。"
        )
    reached = (
        f"只查到 {fmt(back_to)}（{extra.get(ITEMS, '?')} 条）" if back_to else "未查到任何内容"
    )
    return f"注意：上次核对{reached}，未查到{until}，重发可能造成重复发布。"


def _time(raw: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
