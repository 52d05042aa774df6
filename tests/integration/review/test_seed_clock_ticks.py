"""The seed's clocks over a real database: the 谁起草、谁解读 reminder is stored once per state
however often the tick runs, and the weekly digest of a small hand-built department says exactly
what waits, what is late, which account nears the 14-day rule and which windows close — once per
department per ISO week."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.chat.notifier import render
from bot.clocks.policy import interpretation_policy
from bot.clocks.ticks import run_interpretation_clock, run_weekly_digest
from bot.config.load import Settings
from bot.services import Services
from review import drafts, interpretations
from review.db import SessionFactory
from review.models import Account, CitizenMessage, Notification, Publication, ReviewTask
from review.store import directory
from review.timefmt import SHANGHAI


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def new(
    sf: SessionFactory, title: str, kind: str, *, interprets: int | None = None,
    account: str = "ccmz_wechat",
) -> tuple[int, int]:  # fmt: skip
    async with sf.begin() as s:
        author = await directory.person_by_key(s, "zhao_min")
        assert author is not None
        d, rev = await drafts.create(
            s, author,
            drafts.DraftInput(title, "市民政局规范最低生活保障审核确认工作。", [account], kind=kind,
                              interprets=interprets),
        )  # fmt: skip
        return d.id, rev.id


async def publication(
    sf: SessionFactory, draft_id: int, rev_id: int, status: str, *, account: str = "ccmz_wechat",
    published_at: datetime | None = None, updated_at: datetime | None = None,
    late_seconds: float | None = None,
) -> None:  # fmt: skip
    async with sf.begin() as s:
        acc = await directory.account_by_key(s, account)
        assert acc is not None
        s.add(
            Publication(
                draft_id=draft_id, revision_id=rev_id, account_id=acc.id, status=status,
                due_at=published_at or updated_at or bj("2026-12-01 09:00"),
                idempotency_key=f"nm-{draft_id}-{acc.id}", receipt_extra={},
                published_at=published_at, late_seconds=late_seconds,
                updated_at=updated_at or published_at or bj("2026-12-01 09:00"),
            )
        )  # fmt: skip


async def notes(sf: SessionFactory, kind: str) -> list[Notification]:
    async with sf() as s:
        q = select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        return list((await s.scalars(q)).all())


@pytest.mark.pg
async def test_interpretation_reminders_are_stored_once_per_state(
    settings: Settings, sf: SessionFactory
) -> None:
    doc, rev = await new(sf, "长春市最低生活保障审核确认办法", "规范性文件")
    await publication(sf, doc, rev, "published", published_at=bj("2026-11-27 10:00"))  # a Friday
    clock = Clock(bj("2026-11-30 09:00"))
    services = Services(settings, sf, clock=clock)
    policy = interpretation_policy(settings)
    assert policy.working_days == 3
    assert await run_interpretation_clock(services, policy) == 1
    assert await run_interpretation_clock(services, policy) == 0  # a second tick, a replica
    [due] = await notes(sf, "interpretation_due")
    assert "12月2日 23:59 前发布其政策解读" in due.text and "办公室" in due.text
    clock.now = bj("2026-12-03 09:00")  # Wednesday's end has passed
    assert await run_interpretation_clock(services, policy) == 1
    assert await run_interpretation_clock(services, policy) == 0
    [overdue] = await notes(sf, "interpretation_overdue")
    async with sf() as s:
        office = await directory.department_by_key(s, "office")
    assert office is not None and overdue.department_id == office.id
    assert "未在 3 个工作日内" in overdue.text and f"--interprets {doc}" in overdue.text
    # the 解读 goes out a day late: no more reminders, but the inspection still sees it
    reading, reading_rev = await new(sf, "政策解读", "政策解读", interprets=doc)
    await publication(sf, reading, reading_rev, "published", published_at=bj("2026-12-03 10:00"))
    clock.now = bj("2026-12-04 09:00")
    assert await run_interpretation_clock(services, policy) == 0
    async with sf() as s:
        [late] = await interpretations.outstanding_in(s, clock.now, policy)
    assert (late.state, late.first and late.first.draft_id) == (interpretations.LATE, reading)
    assert len(await notes(sf, "interpretation_due")) == 1


NOW = bj("2026-12-07 09:30")  # a Monday, after the digest's 09:00


async def _office_fixture(sf: SessionFactory) -> dict[str, int]:
    """By hand: one waiting task (and one not yet theirs), one overdue message (and one answered),
    one failed and one late post, a quiet Weibo account, one window closing in five hours."""
    waiting, waiting_rev = await new(sf, "关于开展冬季救助专项行动的通知", "通知公告")
    later, later_rev = await new(sf, "养老服务补贴申领指南", "工作动态")
    failed, failed_rev = await new(sf, "低保标准调整", "工作动态")
    late, late_rev = await new(sf, "敬老月活动回顾", "工作动态")
    async with sf.begin() as s:
        office = await directory.department_by_key(s, "office")
        wechat = await directory.account_by_key(s, "ccmz_wechat")
        assert office is not None and wechat is not None
        for draft_id, rev_id, status in (
            (waiting, waiting_rev, "open"),
            (later, later_rev, "waiting"),
        ):
            s.add(
                ReviewTask(
                    draft_id=draft_id, revision_id=rev_id, account_id=wechat.id, stage_index=0,
                    stage_name="初审", department_id=office.id, status=status,
                    created_at=NOW - timedelta(days=2, hours=3),
                )
            )  # fmt: skip
        common = {"account_id": wechat.id, "platform": "wechat", "msg_type": "text",
                  "department_id": office.id, "processed": True}  # fmt: skip
        overdue = CitizenMessage(
            dedup_key="m1", sender="o_1", text="低保怎么申请", status="assigned", topic="社会救助",
            deadline_at=NOW - timedelta(days=1), **common,
        )  # fmt: skip
        answered = CitizenMessage(
            dedup_key="m2", sender="o_2", text="谢谢", status="answered", topic="社会救助",
            deadline_at=NOW - timedelta(days=1), **common,
        )  # fmt: skip
        closing = CitizenMessage(
            dedup_key="m3", sender="o_3", text="助餐点在哪", status="assigned", topic="养老服务",
            deadline_at=NOW + timedelta(days=2), reply_window_closes_at=NOW + timedelta(hours=5),
            **common,
        )  # fmt: skip
        s.add_all([overdue, answered, closing])
        # 长春民政's Weibo has never posted since it was set up ten days ago
        await s.execute(
            update(Account).where(Account.key == "ccmz_weibo")
            .values(created_at=NOW - timedelta(days=10, hours=1))
        )  # fmt: skip
        await s.execute(update(Account).where(Account.key != "ccmz_weibo").values(created_at=NOW))
        await s.flush()
        ids = {"overdue": overdue.id, "closing": closing.id, "waiting": waiting}
    await publication(sf, failed, failed_rev, "failed", updated_at=NOW - timedelta(days=1))
    await publication(
        sf, late, late_rev, "published", published_at=NOW - timedelta(days=2), late_seconds=600
    )
    return ids


@pytest.mark.pg
async def test_weekly_digest_on_a_hand_built_department(
    settings: Settings, sf: SessionFactory
) -> None:
    ids = await _office_fixture(sf)
    services = Services(settings, sf, clock=Clock(NOW))
    assert await run_weekly_digest(services, settings, bj("2026-12-07 08:59")) == {}  # not yet
    sent = await run_weekly_digest(services, settings, NOW)
    assert sent["office"] == "sent" and set(sent.values()) == {"sent"}
    assert await run_weekly_digest(services, settings, NOW + timedelta(hours=1)) == {}
    assert await run_weekly_digest(Services(settings, sf), settings, bj("2026-12-09 10:00")) == {}
    digests = await notes(sf, "weekly_digest")
    async with sf() as s:
        office = await directory.department_by_key(s, "office")
        head = await directory.person_by_key(s, "wang_qiang")
    assert office is not None and head is not None
    [mine] = [n for n in digests if n.department_id == office.id]
    assert mine.person_id == head.id and mine.dedup_key == "digest:office:2026-W50"
    assert mine.text.splitlines() == [
        "办公室 每周摘要（2026年第50周，12月7日—12月13日）",
        "■ 待审核（1）",
        f"· 稿件 #{ids['waiting']}「关于开展冬季救助专项行动的通知」初审，已等 2 天",
        "■ 已超期（3）",
        f"· 留言 #{ids['overdue']}（社会救助）答复期限 12月6日 09:30 已过",
        "· 「敬老月活动回顾」（长春民政·微信）晚了 10 分钟发布",  # by due time
        "· 「低保标准调整」（长春民政·微信）发布失败",
        "■ 临近14天未更新（1）",
        "· 「长春民政·微博」已 10 天未更新，4 天后触及 14 天规则",
        "■ 48 小时内关闭的回复窗口（1）",
        f"· 留言 #{ids['closing']}（养老服务）窗口 12月7日 14:30 关闭",
    ]
    chat = render(mine)
    assert chat.startswith("【每周摘要】办公室 每周摘要") and len(chat.encode()) <= 2048
    assert "newmedia report digest --department office" in chat
    # the next ISO week is a new digest
    nxt = await run_weekly_digest(services, settings, NOW + timedelta(days=7))
    assert nxt["office"] == "sent"
    assert len([n for n in await notes(sf, "weekly_digest") if n.department_id == office.id]) == 2


async def test_digest_disabled_sends_nothing(settings: Settings, sf: SessionFactory) -> None:
    off = replace(settings, file=settings.file.model_copy(
        update={"digest": settings.file.digest.model_copy(update={"enabled": False})}
    ))  # fmt: skip
    assert await run_weekly_digest(Services(off, sf), off, NOW) == {}
    assert await notes(sf, "weekly_digest") == []


async def test_a_back_office_post_keeps_the_14_day_clock(sf: SessionFactory) -> None:
    from review import digest
    from review.models.platform_posts import PlatformPost

    await _office_fixture(sf)
    async with sf.begin() as s:
        weibo = await directory.account_by_key(s, "ccmz_weibo")
        office = await directory.department_by_key(s, "office")
        assert weibo is not None and office is not None
        quiet = await digest.collect(s, office, NOW, 48)
        assert quiet.sections[2].count == 1
        s.add(PlatformPost(account_id=weibo.id, remote_id="w1", title="后台发布",
                           posted_at=NOW - timedelta(days=3)))  # fmt: skip
        await s.flush()
        after = await digest.collect(s, office, NOW, 48)
    assert after.sections[2].count == 0 and "临近14天未更新：无" in digest.compose(after)
