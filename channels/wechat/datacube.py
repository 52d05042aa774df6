"""Article and follower statistics (数据统计, the ``datacube`` APIs, platforms.md §2.5a).

``POST https://api.weixin.qq.com/datacube/<name>`` with ``{begin_date, end_date}`` (yyyy-mm-dd,
Beijing dates, ``end_date`` yesterday at the latest). Each API takes a bounded span per call —
``getarticlesummary`` and ``getarticletotal`` one day, ``getusersummary`` and
``getusercumulate`` seven (the official 图文分析 / 用户分析 pages) — so a longer range is asked
in pieces (``spans``). Errors come back through ``WeChatAPI.call`` as the closed error set;
61500 (bad date) and 61501 (span too long) are ``Rejected``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from channels.base import Rejected
from channels.wechat.api import WeChatAPI

ARTICLE_SUMMARY = "datacube/getarticlesummary"
USER_SUMMARY = "datacube/getusersummary"
USER_CUMULATE = "datacube/getusercumulate"
#: the longest span (days, both ends included) each API takes in one call
MAX_SPAN = {ARTICLE_SUMMARY: 1, USER_SUMMARY: 7, USER_CUMULATE: 7}


@dataclass(frozen=True, slots=True)
class ArticleDay:
    """One article's figures on one day (``msgid`` = ``<msg_data_id>_<index>``)."""

    day: date
    msgid: str
    title: str
    reads: int
    read_users: int
    shares: int
    share_users: int


@dataclass(frozen=True, slots=True)
class FollowerDay:
    """An account's followers on one day: new, lost (summed over sources), and the total."""

    day: date
    new: int
    cancel: int
    cumulate: int


def spans(begin: date, end: date, max_days: int) -> Iterator[tuple[date, date]]:
    """``[begin, end]`` cut into pieces of at most ``max_days`` days, in order."""
    if end < begin:
        return
    start = begin
    while start <= end:
        stop = min(end, start + timedelta(days=max_days - 1))
        yield start, stop
        start = stop + timedelta(days=1)


class WeChatDatacube:
    """The statistics endpoints of one OA account (``WeChatChannel.datacube``)."""

    def __init__(self, api: WeChatAPI) -> None:
        self.api = api

    async def _list(self, endpoint: str, begin: date, end: date) -> list[dict[str, Any]]:
        if end < begin:
            raise Rejected("统计的结束日期早于开始日期", code="date")
        if (end - begin).days + 1 > MAX_SPAN[endpoint]:
            raise Rejected(f"{endpoint} 每次最多查询 {MAX_SPAN[endpoint]} 天", code="span")
        body = {"begin_date": begin.isoformat(), "end_date": end.isoformat()}
        data = await self.api.call(endpoint, body)
        return [row for row in data.get("list") or () if isinstance(row, dict)]

    async def articles(self, begin: date, end: date) -> list[ArticleDay]:
        """Every article's reads and shares per day in ``[begin, end]`` (one call per day)."""
        out: list[ArticleDay] = []
        for lo, hi in spans(begin, end, MAX_SPAN[ARTICLE_SUMMARY]):
            for row in await self._list(ARTICLE_SUMMARY, lo, hi):
                out.append(
                    ArticleDay(
                        day=date.fromisoformat(str(row["ref_date"])),
                        msgid=str(row.get("msgid", "")),
                        title=str(row.get("title", "")),
                        reads=_int(row, "int_page_read_count"),
                        read_users=_int(row, "int_page_read_user"),
                        shares=_int(row, "share_count"),
                        share_users=_int(row, "share_user"),
                    )
                )
        return out

    async def followers(self, begin: date, end: date) -> list[FollowerDay]:
        """New and lost followers (``getusersummary``, summed over ``user_source``) and the
        total (``getusercumulate``) per day in ``[begin, end]``."""
        moves: dict[date, tuple[int, int]] = {}
        totals: dict[date, int] = {}
        for lo, hi in spans(begin, end, MAX_SPAN[USER_SUMMARY]):
            for row in await self._list(USER_SUMMARY, lo, hi):
                day = date.fromisoformat(str(row["ref_date"]))
                new, cancel = moves.get(day, (0, 0))
                moves[day] = (new + _int(row, "new_user"), cancel + _int(row, "cancel_user"))
        for lo, hi in spans(begin, end, MAX_SPAN[USER_CUMULATE]):
            for row in await self._list(USER_CUMULATE, lo, hi):
                totals[date.fromisoformat(str(row["ref_date"]))] = _int(row, "cumulate_user")
        return [FollowerDay(day, *moves.get(day, (0, 0)), totals[day]) for day in sorted(totals)]


def _int(row: dict[str, Any], key: str) -> int:
    try:
        return int(row.get(key) or 0)
    except (TypeError, ValueError):
        return 0
