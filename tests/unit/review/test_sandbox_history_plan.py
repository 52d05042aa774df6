"""The seeded history's plan (pure): the same seed gives the same history; the third account
has a spell past 14 days and a current one near it; nothing is dated after ``as_of``; each
规范性文件 but the newest gets its 解读, the second one late."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from random import Random

from review.sandbox_history import AccountInfo, DepartmentInfo, History, plan
from review.timefmt import SHANGHAI, local_date

AS_OF = datetime(2026, 12, 3, 12, 0, tzinfo=SHANGHAI)
ACCOUNTS = [
    AccountInfo("ccmz_wechat", 1, "wechat", 1),
    AccountInfo("ccmz_weibo", 2, "weibo", 1),
    AccountInfo("ccyl_wechat", 3, "wechat", 2),
]
DEPARTMENTS = [DepartmentInfo(1, ("民政综合",)), DepartmentInfo(2, ("养老服务", "老龄工作"))]


def history(seed: int = 17, days: int = 120) -> History:
    def deadline(received: datetime) -> datetime:
        return received + timedelta(days=3)

    return plan(Random(seed), AS_OF, days, ACCOUNTS, DEPARTMENTS, deadline)


def test_the_same_seed_gives_the_same_history() -> None:
    a, b = history(), history()
    assert [p.title for p in a.posts] == [p.title for p in b.posts]
    assert [m.received_at for m in a.messages] == [m.received_at for m in b.messages]
    assert [p.title for p in history(18).posts] != [p.title for p in a.posts]


def test_quiet_spells_of_the_third_account() -> None:
    h = history()
    days = sorted({local_date(p.due_at) for p in h.posts if p.account.key == "ccyl_wechat"})
    gaps = [(b - a).days for a, b in pairwise(days)]
    assert max(gaps) > 14  # a veto somewhere in its history
    assert 9 <= (local_date(AS_OF) - days[-1]).days < 14  # near the rule now


def test_nothing_after_as_of_and_deadlines_after_receipt() -> None:
    h = history()
    assert all(p.due_at < AS_OF and p.submitted_at < p.approved_at <= p.due_at for p in h.posts)
    assert all(m.received_at < min(AS_OF, m.deadline_at) for m in h.messages)
    assert {m.status for m in h.messages} >= {"answered", "dismissed"}
    assert any(m.answered_at and m.answered_at > m.deadline_at for m in h.messages)
    assert any(p.blocked_check for p in h.posts) and any(p.published_at is None for p in h.posts)
    assert h.back_office and all(b.posted_at < AS_OF for b in h.back_office)
    assert {f[0] for f in h.followers} == {1, 3}  # WeChat accounts only


def test_interpretations_in_time_late_and_outstanding() -> None:
    h = history()
    docs = [i for i, p in enumerate(h.posts) if p.kind == "规范性文件" and p.published_at]
    readings = {p.interprets: p for p in h.posts if p.interprets is not None}
    assert len(docs) >= 3 and docs[-1] not in readings  # the newest is outstanding
    gaps = [(readings[d].due_at - h.posts[d].due_at).days for d in docs[:-1] if d in readings]
    assert gaps[0] <= 3 and gaps[1] >= 5
