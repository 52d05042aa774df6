"""The self-inspection report finds what inspectors would: quiet accounts, posts that skipped a
review stage, overdue messages, a tampered audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from publishing_support import seed
from sqlalchemy import text, update

from review import inspection
from review.db import SessionFactory
from review.models import CitizenMessage, Publication, utcnow
from review.store import directory


async def publish(sf: SessionFactory, pub_id: int, days_ago: float) -> None:
    at = utcnow() - timedelta(days=days_ago)
    async with sf.begin() as s:
        await s.execute(
            update(Publication)
            .where(Publication.id == pub_id)
            .values(status="published", published_at=at, due_at=at)
        )


def levels(report: inspection.Report, item: str) -> list[str]:
    return [f.level for f in report.findings if f.item == item]


@pytest.mark.pg
async def test_report_vetoes_and_deductions(sf: SessionFactory) -> None:
    # 长春民政 (WeChat) published 9 days ago — but only 初审 approved it: 终审 and 保密 skipped
    wechat = (await seed(sf, 1, accounts=("ccmz_wechat",))).publication_ids[0]
    await publish(sf, wechat, 9)
    # 长春民政 (Weibo) published yesterday
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
    details = "\n".join(f.detail for f in report.findings)
    assert "长春养老服务（微信） 超过两周未更新（从未发布）" in details  # veto
    assert "长春民政（微信） 已 9 天未更新" in details  # deduction
    assert "长春民政（微博）" not in details  # it is fine
    assert levels(report, "先审后发") == ["veto"] and f"发布号 {wechat}" in details
    assert levels(report, "互动回应") == ["deduct"]
    assert levels(report, "审计留痕") == ["ok"]
    assert report.vetoes == 2 and report.deductions == 2
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
    assert levels(report, "互动回应") == ["veto"]
    assert levels(report, "审计留痕") == ["veto"]
