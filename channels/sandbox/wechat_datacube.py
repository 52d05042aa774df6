"""The WeChat fake's statistics (datacube, platforms.md §2.5a): reads, shares and followers.

Same paths, bodies and limits as the platform: ``POST /datacube/getarticlesummary`` (one day per
call), ``getusersummary`` and ``getusercumulate`` (seven days), ``{begin_date, end_date}`` as
yyyy-mm-dd Beijing dates, ``end_date`` yesterday at the latest; 61500 for a malformed date, 61501
for a span too long, reversed or not yet over.

The figures are a pure function of the timeline and the date, so a restart, a second process
and a test all see the same numbers: an article is read for seven days after it went out,
fewer each day; the account gains and loses a few followers every day from ``EPOCH``.
"""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Protocol

from aiohttp import web

from channels.sandbox.platform import SandboxError
from channels.sandbox.wechat_state import WeChatState

BAD_DATE = 61500
BAD_RANGE = 61501
MAX_SPAN = {"getarticlesummary": 1, "getusersummary": 7, "getusercumulate": 7}
BEIJING = timezone(timedelta(hours=8))
#: the day from which the fake's follower total moves
EPOCH = date(2024, 1, 1)
#: days an article keeps being read
READ_DAYS = 7


class Host(Protocol):
    """What the statistics need from the WeChat fake that owns them."""

    accounts: dict[str, WeChatState]

    def auth(self, request: web.Request) -> WeChatState: ...

    async def json_body(self, request: web.Request) -> dict[str, Any]: ...

    def now(self) -> float: ...


def _h(text: str) -> int:
    return zlib.crc32(text.encode())


def beijing_day(ts: float) -> date:
    return datetime.fromtimestamp(ts, UTC).astimezone(BEIJING).date()


def article_day(msgid: str, published: date, day: date) -> dict[str, int] | None:
    """One article's figures on ``day`` (None outside its reading week)."""
    age = (day - published).days
    if not 0 <= age < READ_DAYS:
        return None
    reads = (100 + _h(msgid) % 400) // (age + 1)
    shares = reads // 10
    return {
        "int_page_read_count": reads,
        "int_page_read_user": reads * 4 // 5,
        "ori_page_read_count": 0,
        "ori_page_read_user": 0,
        "share_count": shares,
        "share_user": shares * 4 // 5,
        "add_to_fav_count": reads // 50,
        "add_to_fav_user": reads // 50,
    }


def followers_moved(account_key: str, day: date) -> tuple[int, int]:
    """(new, lost) followers of the account on ``day``."""
    if day <= EPOCH:
        return 0, 0
    return 5 + _h(f"{account_key}:{day}") % 11, _h(f"-{account_key}:{day}") % 4


def followers_total(account_key: str, day: date) -> int:
    total, d = 10000 + _h(account_key) % 1000, EPOCH
    while d < day:
        d += timedelta(days=1)
        new, lost = followers_moved(account_key, d)
        total += new - lost
    return total


class WeChatDatacube:
    def __init__(self, sandbox: Host) -> None:
        self.sb = sandbox

    def routes(self) -> list[web.RouteDef]:
        return [web.post(f"/datacube/{name}", self._handler(name)) for name in MAX_SPAN]

    def _handler(self, name: str) -> Any:
        async def handle(request: web.Request) -> web.Response:
            state = self.sb.auth(request)
            begin, end = await self._range(request, MAX_SPAN[name])
            rows = getattr(self, name)(state, begin, end)
            return web.json_response({"list": rows})

        return handle

    async def _range(self, request: web.Request, max_days: int) -> tuple[date, date]:
        body = await self.sb.json_body(request)
        try:
            begin = date.fromisoformat(str(body.get("begin_date", "")))
            end = date.fromisoformat(str(body.get("end_date", "")))
        except ValueError:
            raise SandboxError(BAD_DATE, "invalid date format") from None
        yesterday = beijing_day(self.sb.now()) - timedelta(days=1)
        if end < begin or end > yesterday or (end - begin).days + 1 > max_days:
            raise SandboxError(BAD_RANGE, "invalid date range")
        return begin, end

    def getarticlesummary(self, state: WeChatState, begin: date, end: date) -> list[Any]:
        rows: list[dict[str, Any]] = []
        day = begin
        while day <= end:
            for post in state.timeline:
                if not post.msg_data_id:
                    continue
                published = beijing_day(post.published_at)
                for article in post.articles:
                    msgid = f"{post.msg_data_id}_{article.index}"
                    figures = article_day(msgid, published, day)
                    if figures is not None:
                        head = {"ref_date": day.isoformat(), "msgid": msgid}
                        rows.append(head | {"title": article.title} | figures)
            day += timedelta(days=1)
        return rows

    def getusersummary(self, state: WeChatState, begin: date, end: date) -> list[Any]:
        """Per day and source (0 other, 30 scanned a code): the platform splits by source."""
        rows: list[dict[str, Any]] = []
        day = begin
        while day <= end:
            new, lost = followers_moved(state.account.account_key, day)
            by_code = new // 3
            rows.append(_source(day, 0, new - by_code, lost))
            if by_code:
                rows.append(_source(day, 30, by_code, 0))
            day += timedelta(days=1)
        return rows

    def getusercumulate(self, state: WeChatState, begin: date, end: date) -> list[Any]:
        key, rows, day = state.account.account_key, list[dict[str, Any]](), begin
        while day <= end:
            rows.append({"ref_date": day.isoformat(), "cumulate_user": followers_total(key, day)})
            day += timedelta(days=1)
        return rows


def _source(day: date, source: int, new: int, lost: int) -> dict[str, Any]:
    return {
        "ref_date": day.isoformat(),
        "user_source": source,
        "new_user": new,
        "cancel_user": lost,
    }
