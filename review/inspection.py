"""A self-inspection report in the inspectors' vocabulary: 单项否决 and 扣分项.

It reads only what the service already records: when each account last published, whether every
published post was approved by every stage of its chain on the exact content that went out
(先审后发), how citizens' messages were answered, retractions, unsettled publications, overrides
and the audit chain. Thresholds follow the national 政务新媒体 inspection rules the bureau is
checked against: no update for 14 days is a veto, 7 days a deduction; a message left unanswered
long past its deadline is a veto, any overdue message a deduction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from review.chains import applicable
from review.models import utcnow
from review.states import PublicationStatus as P
from review.store import audit
from review.store import directory as dstore
from review.store import inspection as store
from review.store import publications as pstore
from review.timefmt import fmt
from review.wordings import clock as wording_clock

VETO_QUIET_DAYS = 14
DEDUCT_QUIET_DAYS = 7
VETO_OVERDUE_DAYS = 30


@dataclass
class Finding:
    level: str  # "veto" (单项否决) | "deduct" (扣分项) | "ok"
    item: str
    detail: str


@dataclass
class Report:
    since: datetime
    until: datetime
    findings: list[Finding] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[str, int] = field(default_factory=dict)

    @property
    def vetoes(self) -> int:
        return sum(f.level == "veto" for f in self.findings)

    @property
    def deductions(self) -> int:
        return sum(f.level == "deduct" for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "vetoes": self.vetoes,
            "deductions": self.deductions,
            "findings": [asdict(f) for f in self.findings],
            "accounts": self.accounts,
            "messages": self.messages,
        }


async def _accounts(session: AsyncSession, report: Report, now: datetime) -> None:
    last = await pstore.last_published(session)
    counts = await store.publication_counts(session, report.since)
    for account in await dstore.all_accounts(session):
        at = last.get(account.id)
        quiet = (now - at).total_seconds() / 86400 if at else None
        name = f"{account.name}（{'微信' if account.platform == 'wechat' else '微博'}）"
        if quiet is None or quiet >= VETO_QUIET_DAYS:
            since = "从未发布" if at is None else f"最近一次发布 {fmt(at)}"
            report.findings.append(Finding("veto", "更新频率", f"{name} 超过两周未更新（{since}）"))
        elif quiet >= DEDUCT_QUIET_DAYS:
            report.findings.append(
                Finding("deduct", "更新频率", f"{name} 已 {int(quiet)} 天未更新（最近 {fmt(at)}）")
            )
        per = {status: n for (acc, status), n in counts.items() if acc == account.id}
        for status, label in ((P.FAILED, "发布失败"), (P.NEEDS_CHECK, "待人工核对")):
            if per.get(status):
                report.findings.append(
                    Finding("deduct", "发布保障", f"{name} 有 {per[status]} 条{label}未处理")
                )
        if per.get(P.RETRACTED):
            report.findings.append(
                Finding(
                    "deduct", "内容准确", f"{name} 期内撤回 {per[P.RETRACTED]} 条（发布失当已整改）"
                )
            )
        report.accounts.append(
            {"key": account.key, "name": name, "last_published": at.isoformat() if at else None,
             "quiet_days": round(quiet, 1) if quiet is not None else None, "publications": per}
        )  # fmt: skip


async def _review_before_publish(session: AsyncSession, report: Report) -> None:
    """先审后发: every stage of the chain approved exactly the content that went out."""
    unreviewed = []
    for pub, rev in await store.published_since(session, report.since):
        stages = await applicable(session, pub.account_id, rev.kind)
        approved = await store.approvals(session, rev.id, pub.account_id)
        if any(approved.get(s.position) != rev.content_hash for s in stages):
            unreviewed.append(pub.id)
    if unreviewed:
        ids = "、".join(map(str, unreviewed[:10]))
        report.findings.append(
            Finding("veto", "先审后发", f"{len(unreviewed)} 条发布未经完整审核链（发布号 {ids}）")
        )
    else:
        report.findings.append(Finding("ok", "先审后发", "期内每条发布均经完整审核链审核"))


async def _messages(session: AsyncSession, report: Report, now: datetime) -> None:
    stats = await store.message_stats(session, report.since, now)
    report.messages = stats
    oldest = await store.oldest_overdue(session, now)
    if oldest is not None and now - oldest > timedelta(days=VETO_OVERDUE_DAYS):
        report.findings.append(
            Finding(
                "veto",
                "互动回应",
                f"有留言超过答复期限 {VETO_OVERDUE_DAYS} 天仍未答复（最早期限 {fmt(oldest)}）",
            )
        )
    elif stats["open_overdue"]:
        report.findings.append(
            Finding("deduct", "互动回应", f"{stats['open_overdue']} 条留言超过答复期限未答复")
        )
    else:
        report.findings.append(
            Finding(
                "ok",
                "互动回应",
                f"期内留言 {stats['total']} 条，已答复 {stats['answered']} 条，无超期",
            )
        )


async def build(session: AsyncSession, *, days: int = 30, now: datetime | None = None) -> Report:
    now = now or utcnow()
    report = Report(since=now - timedelta(days=days), until=now)
    await _accounts(session, report, now)
    await _review_before_publish(session, report)
    await _messages(session, report, now)
    for level, item, detail in await wording_clock.findings(session, report.since, now):
        report.findings.append(Finding(level, item, detail))
    overrides = await store.override_count(session, report.since)
    if overrides:
        report.findings.append(
            Finding("ok", "例外审批", f"期内负责人书面批准例外 {overrides} 次（均有审计记录）")
        )
    checked, problem = await audit.verify(session)
    if problem:
        report.findings.append(Finding("veto", "审计留痕", f"审计日志被篡改：{problem}"))
    else:
        report.findings.append(Finding("ok", "审计留痕", f"审计日志完整（{checked} 条）"))
    order = {"veto": 0, "deduct": 1, "ok": 2}
    report.findings.sort(key=lambda f: order[f.level])
    return report
