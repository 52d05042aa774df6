"""The back-office sync: each account's own list of posts, stored once, ours told apart.

Posts staff make in the WeChat or Weibo back office reach the public as surely as the bot's:
the inspection's 14-day clock counts them, and 先审后发 asks of each whether a reviewed
publication accounts for it — by the remote id we recorded or by the idempotency marker the bot
puts in every post. One that none does is flagged 未经审核发布: its owner department is told
once (a guarded ``flagged_at`` and a dedup key), whichever run saw it first.

The platform is listed before any transaction opens; the rows are written in one afterwards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from channels.base import ChannelError, PostLister
from review.db import SessionFactory
from review.models import PlatformPost
from review.notify import notify
from review.store import directory
from review.store import platform_posts as store
from review.timefmt import fmt

log = logging.getLogger("newmedia.platform_sync")

#: how far back each run lists: the report's default period with room to spare (the 14-day
#: clock needs only two weeks)
WINDOW = timedelta(days=31)
#: pages asked per account per run (WeChat 20, Weibo 100 posts a page)
MAX_PAGES = 10
#: the tick runs hourly; an account is listed again once its last run is this old
EVERY = timedelta(hours=23)


@dataclass
class SyncResult:
    account_key: str
    account_name: str = ""
    listed: int = 0
    ours: int = 0
    flagged: list[PlatformPost] = field(default_factory=list)
    complete: bool = False
    problem: str | None = None


def _flag_text(name: str, key: str, post: PlatformPost) -> str:
    title = post.title or post.excerpt[:40] or "（无标题）"
    return (
        f"账号「{name}」（{key}）在平台后台发布了未经本系统审核的内容：《{title}》"
        f"（{fmt(post.posted_at)}，平台编号 {post.remote_id}）。按先审后发要求，"
        "请核实发布人和内容，必要时撤回，并补办审核。"
    )


async def sync_account(
    sessions: SessionFactory, lister: PostLister, *, now: datetime
) -> SyncResult:
    """List one account's posts of the last ``WINDOW`` and store them; flag strangers."""
    result = SyncResult(lister.account_key)
    async with sessions() as session:
        account = await directory.account_by_key(session, lister.account_key)
    if account is None:
        result.problem = "账号不在目录中（先运行 newmedia db upgrade 同步目录）"
        return result
    result.account_name = account.name
    try:
        listing = await lister.list_posts(now - WINDOW, max_pages=MAX_PAGES)
    except ChannelError as exc:
        result.problem = f"读取平台发布记录失败：{exc.message}"
        log.warning("platform sync of %s failed: %s", account.key, exc.kind)
        async with sessions.begin() as session:
            await store.record_sync(
                session, account.id, now, complete=False, problem=result.problem
            )
        return result
    result.complete = listing.complete
    if not listing.complete:
        result.problem = f"只读取了最近 {listing.pages} 页，未覆盖 {WINDOW.days} 天"
    async with sessions.begin() as session:
        rows = await store.store(session, account.id, listing.posts, now)
        result.listed = len(rows)
        result.ours = sum(row.publication_id is not None for row in rows)
        for row in rows:
            if row.publication_id is not None or not await store.claim_flag(session, row.id, now):
                continue
            result.flagged.append(row)
            await notify(
                session,
                kind="post_unreviewed",
                subject=f"未经审核发布：{account.name}",
                text=_flag_text(account.name, account.key, row),
                department_id=account.owner_department_id,
                payload={"account": account.key, "remote_id": row.remote_id},
                dedup_key=f"post_unreviewed:{account.id}:{row.remote_id}",
                at=now,
            )
        await store.record_sync(
            session, account.id, now, complete=listing.complete, problem=result.problem
        )
    return result


async def due(sessions: SessionFactory, keys: list[str], now: datetime) -> list[str]:
    """The account keys whose last run is older than ``EVERY`` (or that never ran)."""
    async with sessions() as session:
        ran = await store.syncs(session)
        accounts = {a.key: a.id for a in await directory.all_accounts(session)}
    out = []
    for key in keys:
        row = ran.get(accounts.get(key, -1))
        if row is None or now - row.ran_at >= EVERY:
            out.append(key)
    return out
