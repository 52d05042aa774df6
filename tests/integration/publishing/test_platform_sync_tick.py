"""The back-office sync's tick lists each account once a day (a restart or a second run the same
day lists nothing again); only channels that list their posts take part; a platform that fails
is recorded and leaves the other accounts' runs alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.config.load import Settings
from bot.publishing.platform_sync import sync
from bot.services import Services
from channels.base import PlatformPost, PostListing, Transient
from review.db import SessionFactory
from review.models import PlatformSync, utcnow
from review.store import directory


@dataclass
class Lister:
    account_key: str
    fail: bool = False
    calls: list[datetime] = field(default_factory=list)

    async def list_posts(self, since: datetime, *, max_pages: int) -> PostListing:
        self.calls.append(since)
        if self.fail:
            raise Transient("timeout")
        post = PlatformPost("9001", "后台发布", "", utcnow() - timedelta(hours=1))
        return PostListing([post], complete=True, pages=1)


class NotALister:
    account_key = "ccyl_wechat"


async def test_the_tick_lists_each_account_once_a_day(
    settings: Settings, sf: SessionFactory
) -> None:
    now = utcnow()
    weibo, wechat = Lister("ccmz_weibo"), Lister("ccmz_wechat", fail=True)
    services = Services(
        settings, sf, channels={"ccmz_weibo": weibo, "ccmz_wechat": wechat, "ccyl_wechat": NotALister()},
        clock=lambda: now,
    )  # fmt: skip
    results = {r.account_key: r for r in await sync(services, force=False)}
    assert set(results) == {"ccmz_weibo", "ccmz_wechat"}
    assert results["ccmz_weibo"].listed == 1 and len(results["ccmz_weibo"].flagged) == 1
    assert results["ccmz_wechat"].problem == "读取平台发布记录失败：timeout"
    assert weibo.calls == [now - timedelta(days=31)]

    services.clock = lambda: now + timedelta(hours=5)
    assert await sync(services, force=False) == []  # both ran today (the failure too)
    assert len(weibo.calls) == 1

    services.clock = lambda: now + timedelta(days=1)
    again = await sync(services, force=False)
    assert [r.account_key for r in again] == ["ccmz_wechat", "ccmz_weibo"]
    assert again[1].flagged == []  # told once
    async with sf() as s:
        account = await directory.account_by_key(s, "ccmz_wechat")
        assert account is not None
        row = await s.get(PlatformSync, account.id)
    assert row is not None and row.ok_at is None and row.problem
