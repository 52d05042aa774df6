"""WeChat statistics stored (upserts: a pull repeated overwrites) and read for the reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Account, WeChatArticleStat, WeChatFollowerStat, utcnow
from review.store.inbox_session import dialect_insert

ARTICLE_FIGURES = ("title", "reads", "read_users", "shares", "share_users")
FOLLOWER_FIGURES = ("new_followers", "lost_followers", "total_followers")


async def _upsert(
    session: AsyncSession, model: Any, keys: tuple[str, ...], figures: tuple[str, ...],
    rows: Sequence[Mapping[str, Any]],
) -> int:  # fmt: skip
    if not rows:
        return 0
    now = utcnow()
    params = [{**row, "updated_at": now} for row in rows]
    stmt = dialect_insert(session, model)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: stmt.excluded[name] for name in (*figures, "updated_at")},
    )
    await session.execute(stmt, params)
    return len(params)


async def save_articles(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> int:
    """Rows of ``account_id, day, msgid`` + ``ARTICLE_FIGURES``."""
    keys = ("account_id", "day", "msgid")
    return await _upsert(session, WeChatArticleStat, keys, ARTICLE_FIGURES, rows)


async def save_followers(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> int:
    """Rows of ``account_id, day`` + ``FOLLOWER_FIGURES``."""
    keys = ("account_id", "day")
    return await _upsert(session, WeChatFollowerStat, keys, FOLLOWER_FIGURES, rows)


@dataclass(frozen=True)
class ArticleTotal:
    account_name: str
    msgid: str
    title: str
    reads: int
    shares: int


@dataclass(frozen=True)
class FollowerDay:
    account_name: str
    day: date
    new: int
    lost: int
    total: int


async def article_totals(session: AsyncSession, first: date, last: date) -> list[ArticleTotal]:
    """Each article's reads and shares summed over the days in ``[first, last]``."""
    s = WeChatArticleStat
    rows = await session.execute(
        select(Account.name, s.msgid, func.max(s.title), func.sum(s.reads), func.sum(s.shares))
        .join(Account, Account.id == s.account_id)
        .where(s.day >= first, s.day <= last)
        .group_by(Account.name, s.msgid)
    )
    return [ArticleTotal(a, m, t or "", int(r or 0), int(sh or 0)) for a, m, t, r, sh in rows]


async def follower_days(session: AsyncSession, first: date, last: date) -> list[FollowerDay]:
    s = WeChatFollowerStat
    rows = await session.execute(
        select(Account.name, s.day, s.new_followers, s.lost_followers, s.total_followers)
        .join(Account, Account.id == s.account_id)
        .where(s.day >= first, s.day <= last)
        .order_by(Account.name, s.day)
    )
    return [FollowerDay(a, d, n, lost, t) for a, d, n, lost, t in rows]
