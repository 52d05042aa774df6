"""A small, fixed history of one year (2025) for the annual report: the example in ``docs/``
(``scripts/example_annual_report.py``) and the report's tests, whose expected numbers are
worked out by hand from the rows below (tests/integration/cli/test_cli_report_annual.py).

Beijing times throughout. Accounts, departments and people are the shipped ``settings.toml``'s.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from review.models import (
    CitizenMessage,
    Draft,
    GateRun,
    Publication,
    ReviewTask,
    Revision,
)
from review.store import audit, platform_stats
from review.store import directory as dstore
from review.timefmt import SHANGHAI

YEAR = 2025


def at(month: int, day: int, hour: int = 0, minute: int = 0, *, year: int = YEAR) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


#: (draft title, kind, [(account, publication status, published at, review spans)])
#: a review span: [(stage, opened, approved)]
POSTS: list[tuple[str, str, list[tuple[str, str, datetime | None, list[Any]]]]] = [
    ("春节困难群众慰问工作部署", "工作动态", [
        # submitted Friday 17:00, approved Monday 10:00: 0.5 + 1 = 1.5 working hours
        ("ccmz_wechat", "published", at(3, 3, 10, 30),
         [(0, at(2, 28, 17), at(3, 3, 9, 30)), (1, at(3, 3, 9, 30), at(3, 3, 10))]),
        # the same submission approved on Friday 17:20: 1/3 working hour
        ("ccmz_weibo", "published", at(3, 3, 10, 30), [(0, at(2, 28, 17), at(2, 28, 17, 20))]),
    ]),
    ("关于调整城乡低保标准的通知", "通知公告", [
        # 11:00 → 14:30 on a Tuesday, lunch excluded: 2 working hours; retracted later
        ("ccmz_wechat", "retracted", at(3, 12, 9), [(0, at(3, 11, 11), at(3, 11, 14, 30))]),
    ]),
    ("养老服务补贴申领指南", "办事指南", [
        # never went out: not a post, but it was reviewed (9:00 → 10:00: 1 working hour)
        ("ccmz_wechat", "failed", None, [(0, at(4, 1, 9), at(4, 1, 10))]),
    ]),
    ("年终总结", "工作动态", [
        # out on 31 December 2024 Beijing time: last year's
        ("ccmz_wechat", "published", at(12, 31, 23, year=2024),
         [(0, at(12, 31, 9, year=2024), at(12, 31, 10, year=2024))]),
    ]),
]  # fmt: skip

#: gate runs: (at, verdict, {check: verdict})
GATES = [
    (at(2, 27, 10), "block", {"wording": "block", "personal_data": "block", "relevance": "pass"}),
    (at(2, 27, 15), "block", {"wording": "block", "personal_data": "warn"}),
    (at(2, 28, 17), "pass", {"wording": "pass"}),
]

#: citizens' messages: (key, topic, department, received, deadline, answered at, status, route)
MESSAGES = [
    ("m1", "低保", "assistance", at(3, 3, 10), at(3, 6, 23, 59), at(3, 4, 10), "answered", "cs"),
    ("m2", "低保", "assistance", at(3, 3, 11), at(3, 6, 23, 59), at(3, 7, 10), "closed", "phone"),
    ("m3", "养老服务", "elderly", at(3, 3, 12), at(3, 6, 23, 59), None, "assigned", None),
    ("m4", None, None, at(3, 4, 9), None, None, "dismissed", None),
]
#: m2 was transferred (转办) before it was answered
TRANSFERRED = ("m2",)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def seed(session: AsyncSession) -> None:
    """Add the history to a database that has the shipped directory (nothing else needed)."""
    author = await dstore.person_by_key(session, "li_na")
    office = await dstore.department_by_key(session, "office")
    assert author is not None and office is not None
    accounts = {a.key: a for a in await dstore.all_accounts(session)}
    for n, (title, kind, targets) in enumerate(POSTS, start=1):
        draft = Draft(author_id=author.id, status="scheduled", created_at=targets[0][3][0][1])
        session.add(draft)
        await session.flush()
        revision = Revision(
            draft_id=draft.id, number=1, title=title, body=title, kind=kind,
            content_hash=_hash(title), created_by=author.id, created_at=draft.created_at,
        )  # fmt: skip
        session.add(revision)
        await session.flush()
        for key, status, published, stages in targets:
            account = accounts[key]
            for stage, opened, approved in stages:
                session.add(ReviewTask(
                    draft_id=draft.id, revision_id=revision.id, account_id=account.id,
                    stage_index=stage, stage_name=f"第{stage + 1}级", department_id=office.id,
                    status="approved", decided_by=author.id, decided_at=approved,
                    approved_hash=revision.content_hash, created_at=opened,
                ))  # fmt: skip
            due = published or stages[-1][2]
            session.add(Publication(
                draft_id=draft.id, revision_id=revision.id, account_id=account.id,
                status=status, due_at=due, idempotency_key=f"annual-{n}-{key}",
                published_at=published, remote_id=f"{n}00" if published else None,
            ))  # fmt: skip
    await session.flush()
    first = await session.get(Revision, 1)
    assert first is not None
    for when, verdict, checks in GATES:
        report = {
            "verdict": verdict,
            "checks": [{"name": c, "verdict": v, "reason": "", "evidence": []} for c, v in checks.items()],
        }  # fmt: skip
        session.add(GateRun(revision_id=first.id, verdict=verdict, report=report, created_at=when))
    wechat = accounts["ccmz_wechat"]
    for key, topic, dept_key, received, deadline, answered, status, route in MESSAGES:
        dept = await dstore.department_by_key(session, dept_key) if dept_key else None
        message = CitizenMessage(
            account_id=wechat.id, platform="wechat", dedup_key=f"annual-{key}",
            sender=f"o_annual_{key}", msg_type="text", text="咨询", received_at=received,
            status=status, processed=True, topic=topic,
            department_id=dept.id if dept else None, deadline_at=deadline,
            answered_at=answered, answer_route=route,
        )  # fmt: skip
        session.add(message)
        await session.flush()
        if key in TRANSFERRED:
            await audit.append(
                session, actor="sun_li", action="message.transferred", subject_type="message",
                subject_id=message.id, detail={"from": None, "to": None},
            )  # fmt: skip
    # WeChat statistics as the daily pull stores them
    await platform_stats.save_articles(session, [
        _article(wechat.id, at(3, 3), "100_1", "春节困难群众慰问工作部署", 100, 10),
        _article(wechat.id, at(3, 4), "100_1", "春节困难群众慰问工作部署", 50, 5),
        _article(wechat.id, at(3, 12), "200_1", "关于调整城乡低保标准的通知", 300, 30),
        _article(wechat.id, at(12, 31, year=2024), "000_1", "年终总结", 999, 99),
    ])  # fmt: skip
    await platform_stats.save_followers(session, [
        _followers(wechat.id, at(12, 30), 5, 1, 1000),
        _followers(wechat.id, at(12, 31), 3, 2, 1001),
    ])  # fmt: skip


def _article(
    account_id: int, day: datetime, msgid: str, title: str, reads: int, shares: int
) -> dict[str, Any]:
    return {
        "account_id": account_id, "day": day.date(), "msgid": msgid, "title": title,
        "reads": reads, "read_users": reads, "shares": shares, "share_users": shares,
    }  # fmt: skip


def _followers(account_id: int, day: datetime, new: int, lost: int, total: int) -> dict[str, Any]:
    return {
        "account_id": account_id, "day": day.date(), "new_followers": new,
        "lost_followers": lost, "total_followers": total,
    }  # fmt: skip
