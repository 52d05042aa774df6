"""The 7/10/14-day clock and the correction notice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from publishing_support import seed
from sqlalchemy import select, update

from bot import keys
from bot.config.load import Settings
from bot.publishing.ticks import dormant_accounts
from review.db import SessionFactory
from review.errors import Forbidden
from review.models import Account, Draft, Notification, PlatformPost, Publication, utcnow
from review.publishing import retraction


def fake_app(settings: Settings, sf: SessionFactory) -> Any:
    return {keys.SETTINGS: settings, keys.SESSIONS: sf}


async def dormant_notes(sf: SessionFactory) -> list[tuple[str, int]]:
    async with sf() as s:
        rows = (
            await s.scalars(select(Notification).where(Notification.kind == "account_dormant"))
        ).all()
        return sorted((n.payload["account"], n.payload["threshold"]) for n in rows)


async def test_quiet_accounts_alert_once_per_threshold(
    settings: Settings, sf: SessionFactory
) -> None:
    async with sf.begin() as s:
        await s.execute(update(Account).values(created_at=utcnow() - timedelta(days=8)))
    app = fake_app(settings, sf)
    await dormant_accounts(app)
    await dormant_accounts(app)
    assert await dormant_notes(sf) == [("ccmz_wechat", 7), ("ccmz_weibo", 7), ("ccyl_wechat", 7)]
    async with sf.begin() as s:
        await s.execute(update(Account).values(created_at=utcnow() - timedelta(days=15)))
    await dormant_accounts(app)
    notes = await dormant_notes(sf)
    assert ("ccmz_wechat", 14) in notes and len(notes) == 6
    async with sf() as s:
        veto = await s.scalar(
            select(Notification.text).where(Notification.dedup_key.like("dormant:ccmz_wechat:14:%"))
        )
    assert veto is not None and "单项否决" in veto


async def test_a_recent_post_keeps_the_clock_quiet(settings: Settings, sf: SessionFactory) -> None:
    async with sf.begin() as s:
        await s.execute(update(Account).values(created_at=utcnow() - timedelta(days=30)))
    await seed(sf, 1, accounts=("ccmz_wechat",))
    async with sf.begin() as s:
        await s.execute(
            update(Publication).values(
                status="published", published_at=utcnow() - timedelta(days=2)
            )
        )
    await dormant_accounts(fake_app(settings, sf))
    assert [a for a, _ in await dormant_notes(sf)] == ["ccmz_weibo", "ccyl_wechat"]


async def test_a_back_office_post_keeps_the_clock_quiet_too(
    settings: Settings, sf: SessionFactory
) -> None:
    """A post made in the platform's own back office (found by the daily sync) counts: the
    14-day rule reads one clock (``store.last_published``)."""
    async with sf.begin() as s:
        await s.execute(update(Account).values(created_at=utcnow() - timedelta(days=30)))
        weibo = await s.scalar(select(Account).where(Account.key == "ccmz_weibo"))
        assert weibo is not None
        s.add(
            PlatformPost(
                account_id=weibo.id,
                remote_id="office-1",
                title="后台发布的通知",
                posted_at=utcnow() - timedelta(days=3),
            )
        )
    await dormant_accounts(fake_app(settings, sf))
    assert [a for a, _ in await dormant_notes(sf)] == ["ccmz_wechat", "ccyl_wechat"]


async def test_correction_notice_is_drafted_by_an_owner_reviewer(sf: SessionFactory) -> None:
    seeded = await seed(sf, 1, accounts=("ccmz_wechat",), title="低保标准调整")
    pid = seeded.publication_ids[0]
    async with sf.begin() as s:
        await s.execute(
            update(Publication).values(
                status="retracted", published_at=utcnow(), retract_reason="金额写错"
            )
        )
    async with sf.begin() as s:
        with pytest.raises(Forbidden):
            await retraction.draft_correction(s, pid, "zhou_hui")  # another department
    async with sf.begin() as s:
        draft_id, rev, person = await retraction.draft_correction(
            s, pid, "li_na", correction="每月 900 元"
        )
    assert person.key == "li_na" and rev.title.startswith("更正说明")
    assert "金额写错" in rev.body and "每月 900 元" in rev.body and "低保标准调整1" in rev.body
    async with sf() as s:
        draft = await s.get(Draft, draft_id)
    assert draft is not None and draft.corrects_publication_id == pid
