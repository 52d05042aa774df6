"""The self-inspection report finds what inspectors would, per account: quiet accounts, posts
that skipped a review stage, overdue messages, a tampered audit log; and the back-office sync
(``review.platform_sync``) against a fake lister: idempotent, one flag per stranger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from publishing_support import seed
from sqlalchemy import func, select, text, update

from channels.base import PlatformPost as Listed
from channels.base import PostListing
from review import inspection, platform_sync
from review.db import SessionFactory
from review.models import CitizenMessage, Notification, PlatformPost, Publication, utcnow
from review.store import directory


async def publish(sf: SessionFactory, pub_id: int, days_ago: float) -> None:
    at = utcnow() - timedelta(days=days_ago)
    async with sf.begin() as s:
        await s.execute(
            update(Publication)
            .where(Publication.id == pub_id)
            .values(status="published", published_at=at, due_at=at)
        )


def item(report: inspection.Report, account: str, key: str) -> inspection.Item:
    found = next(a for a in report.accounts if a.key == account)
    return next(i for i in found.items if i.key == key)


@pytest.mark.pg
async def test_report_vetoes_and_deductions(sf: SessionFactory) -> None:
    # 长春民政 (WeChat) published 9 days ago — but only 初审 approved it: 终审 and 保密 skipped
    wechat = (await seed(sf, 1, accounts=("ccmz_wechat",))).publication_ids[0]
    await publish(sf, wechat, 9)
    weibo = (await seed(sf, 1, accounts=("ccmz_weibo",))).publication_ids[0]
    await publish(sf, weibo, 1)
    async with sf.begin() as s:
        account = await directory.account_by_key(s, "ccmz_wechat")
        assert account is not None
        s.add(
            CitizenMessage(
                account_id=account.id, platform="wechat", dedup_key="m1", sender="o1",
                msg_type="text", text="咨询", status="assigned",
                deadline_at=utcnow() - timedelta(days=2),
            )
        )  # fmt: skip
    async with sf() as s:
        report = await inspection.build(s)
    quiet = item(report, "ccmz_wechat", "update")
    assert quiet.status == "at_risk" and "已 9 天" in quiet.summary
    assert quiet.evidence[0].ref == f"#{wechat}"
    assert item(report, "ccmz_weibo", "update").status == "pass"
    review = item(report, "ccmz_wechat", "review")
    assert review.status == "fail" and [e.ref for e in review.evidence] == [f"#{wechat}"]
    assert item(report, "ccmz_wechat", "interaction").status == "at_risk"
    assert item(report, "ccmz_wechat", "answers").status == "fail"
    audit_item = next(i for i in report.general if i.key == "audit")
    assert audit_item.status == "pass"
    # 先审后发 fails on both accounts (the seed approves only 初审); 留言办理 is the deduction
    assert item(report, "ccmz_weibo", "review").status == "fail"
    assert report.vetoes == 2 and report.deductions == 1
    assert report.to_json()["vetoes"] == 2


@pytest.mark.pg
async def test_long_overdue_message_and_tampered_audit_are_vetoes(sf: SessionFactory) -> None:
    async with sf.begin() as s:
        account = await directory.account_by_key(s, "ccmz_wechat")
        assert account is not None
        s.add(
            CitizenMessage(
                account_id=account.id, platform="wechat", dedup_key="m2", sender="o2",
                msg_type="text", text="咨询", status="overdue",
                deadline_at=utcnow() - timedelta(days=40),
            )
        )  # fmt: skip
        from review.store import audit

        await audit.append(s, actor="t", action="x", subject_type="t", subject_id=1)
    async with sf.begin() as s:
        await s.execute(text("UPDATE audit_events SET actor = 'mallory'"))
    async with sf() as s:
        report = await inspection.build(s)
    interaction = item(report, "ccmz_wechat", "interaction")
    assert interaction.status == "fail" and "最长超期 40 天" in interaction.summary
    assert next(i for i in report.general if i.key == "audit").status == "fail"


@dataclass
class FakeLister:
    """A platform's own list of posts, as the test sets it."""

    account_key: str
    posts: list[Listed] = field(default_factory=list)
    calls: int = 0

    async def list_posts(self, since: datetime, *, max_pages: int) -> PostListing:
        self.calls += 1
        shown: Sequence[Listed] = [p for p in self.posts if p.posted_at >= since]
        return PostListing(shown, complete=True, pages=1)


@pytest.mark.pg
async def test_sync_is_idempotent_and_flags_a_stranger_once(sf: SessionFactory) -> None:
    pub_id = (await seed(sf, 1, accounts=("ccmz_weibo",))).publication_ids[0]
    await publish(sf, pub_id, 2)
    async with sf.begin() as s:
        pub = await s.get(Publication, pub_id)
        assert pub is not None
        pub.remote_id = "501"
    now = utcnow()
    lister = FakeLister("ccmz_weibo", [
        Listed("501", "我们发的（按平台编号认出）", "", now - timedelta(days=2)),
        Listed("502", "我们发的（按标记认出）", "", now - timedelta(days=1), marker=pub.idempotency_key),
        Listed("503", "后台直发", "正文", now - timedelta(hours=3)),
        Listed("400", "太旧", "", now - timedelta(days=60)),
    ])  # fmt: skip
    first = await platform_sync.sync_account(sf, lister, now=now)
    assert (first.listed, first.ours, [p.remote_id for p in first.flagged]) == (3, 2, ["503"])
    second = await platform_sync.sync_account(sf, lister, now=now + timedelta(hours=1))
    assert (second.listed, second.ours, second.flagged) == (3, 2, [])
    async with sf() as s:
        assert await s.scalar(select(func.count()).select_from(PlatformPost)) == 3
        notes = list(
            await s.scalars(select(Notification).where(Notification.kind == "post_unreviewed"))
        )
        account = await directory.account_by_key(s, "ccmz_weibo")
    assert len(notes) == 1 and "后台直发" in notes[0].text
    assert account is not None and notes[0].department_id == account.owner_department_id
    assert await platform_sync.due(sf, ["ccmz_weibo", "ccmz_wechat"], now + timedelta(hours=2)) == [
        "ccmz_wechat"
    ]
