"""A self-inspection report in the inspectors' vocabulary: per account, each 单项否决 and 扣分
item with pass / at risk / fail and its evidence (which posts, which messages), as of a moment.

It reads what the service records — the bot's publications, the posts the back-office sync
found on the platforms (``review.platform_sync``), citizens' messages and their deadlines,
overrides, retractions and corrections, the audit chain. The thresholds and the source of each
(the national checklist, or 「本局设定」) live in ``review.inspection_rules``; this module only
gathers facts and asks those rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from review import inspection_rules as rules
from review.chains import applicable
from review.inspection_extras import Clocks, extra_items
from review.inspection_items import EVIDENCE_MAX, Evidence, Item
from review.inspection_rules import DEDUCT_QUIET_DAYS, VETO_QUIET_DAYS
from review.models import Account, utcnow
from review.states import PublicationStatus as P
from review.store import audit
from review.store import directory as dstore
from review.store import inspection as store
from review.store import platform_posts as posts_store
from review.timefmt import SHANGHAI, fmt
from review.wordings import clock as wording_clock

__all__ = [
    "DEDUCT_QUIET_DAYS", "EVIDENCE_MAX", "VETO_QUIET_DAYS", "Clocks", "Evidence", "Item", "Report",
    "build",
]  # fmt: skip

PLATFORM_LABELS = {"wechat": "微信", "weibo": "微博"}


@dataclass
class AccountReport:
    key: str
    name: str
    platform: str
    synced: str  # when the platform's own list was last read, in words
    items: list[Item] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "platform": self.platform,
                "synced": self.synced, "items": [i.to_json() for i in self.items]}  # fmt: skip


@dataclass
class Report:
    since: datetime
    as_of: datetime
    accounts: list[AccountReport] = field(default_factory=list)
    general: list[Item] = field(default_factory=list)

    def _items(self) -> list[Item]:
        return [i for a in self.accounts for i in a.items] + self.general

    @property
    def vetoes(self) -> int:
        return sum(i.level == rules.VETO and i.status == rules.FAIL for i in self._items())

    @property
    def deductions(self) -> int:
        return sum(i.level == rules.DEDUCT and i.status == rules.FAIL for i in self._items())

    @property
    def at_risk(self) -> int:
        return sum(i.status == rules.AT_RISK for i in self._items())

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "as_of": self.as_of.isoformat(),
            "vetoes": self.vetoes,
            "deductions": self.deductions,
            "at_risk": self.at_risk,
            "accounts": [a.to_json() for a in self.accounts],
            "general": [i.to_json() for i in self.general],
            "thresholds": [t.to_json() for t in rules.THRESHOLDS],
        }


def _pub(pub_id: int, title: str, at: datetime | None, note: str = "") -> Evidence:
    return Evidence("publication", f"#{pub_id}", title, at, note)


async def _update(s: AsyncSession, account: Account, as_of: datetime, synced: bool) -> Item:
    ours = await store.last_publication(s, account.id, as_of)
    found = await posts_store.latest_post(s, account.id, as_of)
    candidates: list[tuple[datetime, Evidence]] = []
    if ours is not None and ours[0].published_at is not None:
        pub, rev = ours
        at = ours[0].published_at
        candidates.append((at, _pub(pub.id, rev.title, at, "本系统发布")))
    if found is not None and found.publication_id is None:
        note = "平台后台发布" + ("（已删除）" if found.deleted else "")
        candidates.append(
            (
                found.posted_at,
                Evidence("platform_post", found.remote_id, found.title, found.posted_at, note),
            )
        )
    last = max(candidates, key=lambda c: c[0]) if candidates else None
    days = rules.quiet_days(last[0] if last else None, account.created_at, as_of)
    status = rules.update_status(days)
    said = f"最近一次更新 {fmt(last[0])}，已 {days} 天" if last else f"从未发布（开通已 {days} 天）"
    if not synced:
        said += "；平台发布记录尚未同步，只计本系统发布"
    return Item.of(rules.UPDATE, status, said, [last[1]] if last else [])


async def _answers(
    s: AsyncSession, account: Account, since: datetime, as_of: datetime
) -> tuple[Item, Item]:
    late: list[Evidence] = []
    missing: list[Evidence] = []
    soon: list[Evidence] = []
    overdue: list[int] = []
    for m in await store.account_messages(s, account.id, since, as_of):
        settled = m.status in ("answered", "closed", "dismissed")
        state = rules.answer_state(m.deadline_at, m.answered_at, settled, as_of)
        ev = Evidence("message", f"#{m.id}", m.text[:40], m.received_at,
                      f"答复期限 {fmt(m.deadline_at)}")  # fmt: skip
        if state == rules.LATE and m.received_at > since:
            late.append(
                Evidence(
                    ev.kind, ev.ref, ev.title, ev.at, ev.note + f"，{fmt(m.answered_at)} 才答复"
                )
            )
        elif state == rules.MISSING and m.deadline_at is not None:
            days = rules.overdue_days(m.deadline_at, as_of)
            overdue.append(days)
            missing.append(
                Evidence(ev.kind, ev.ref, ev.title, ev.at, ev.note + f"，已超期 {days} 天未答复")
            )
        elif state == rules.DUE:
            soon.append(ev)
    interaction = Item.of(
        rules.INTERACTION,
        rules.interaction_status(overdue),
        f"超期未答复 {len(missing)} 条，最长超期 {max(overdue, default=0)} 天",
        missing,
    )
    answers = Item.of(
        rules.ANSWERS,
        rules.answers_status(len(late), len(missing), len(soon)),
        f"期内超期答复 {len(late)} 条，超期未答复 {len(missing)} 条，24 小时内到期 {len(soon)} 条",
        late + missing + soon,
    )
    return interaction, answers


async def _accuracy_and_review(
    s: AsyncSession, account: Account, since: datetime, as_of: datetime
) -> tuple[Item, Item]:
    published = await store.published_between(s, account.id, since, as_of)
    overrides = await store.overridden_checks(s, [r.id for _, r in published])
    risky: dict[int, Evidence] = {}
    unreviewed: list[Evidence] = []
    for pub, rev in published:
        serious = [c for c in overrides.get(rev.id, ()) if c in rules.SERIOUS_CHECKS]
        if serious:
            risky[pub.id] = _pub(
                pub.id, rev.title, pub.published_at, f"例外放行的拦截：{'、'.join(serious)}"
            )
        stages = await applicable(s, account.id, rev.kind)
        approved = await store.approvals(s, rev.id, account.id)
        if any(approved.get(st.position) != rev.content_hash for st in stages):
            unreviewed.append(_pub(pub.id, rev.title, pub.published_at, "审核链未完整审核此内容"))
    pulled: dict[int, Evidence] = {}
    for pub, rev in await store.retracted_between(s, account.id, since, as_of):
        pulled[pub.id] = _pub(
            pub.id, rev.title, pub.retracted_at, f"已撤回：{pub.retract_reason or ''}"
        )
    for pub, rev, draft in await store.corrected_between(s, account.id, since, as_of):
        pulled.setdefault(
            pub.id, _pub(pub.id, rev.title, draft.created_at, f"已发更正（稿件 #{draft.id}）")
        )
    status = rules.accuracy_status(set(risky), set(pulled))
    accuracy = Item.of(
        rules.ACCURACY, status,
        f"例外放行的涉密/错敏词/个人信息拦截 {len(risky)} 条，撤回或更正 {len(pulled)} 条",
        list(risky.values()) + list(pulled.values()),
    )  # fmt: skip
    for post in await posts_store.posts_between(s, account.id, since, as_of):
        if post.publication_id is None:
            note = "未经审核发布（平台后台直接发布）" + (
                "，已通知主管部门" if post.flagged_at else ""
            )
            unreviewed.append(
                Evidence("platform_post", post.remote_id, post.title, post.posted_at, note)
            )
    review = Item.of(
        rules.REVIEW, rules.count_status(len(unreviewed)),
        f"期内本系统发布 {len(published)} 条；未经完整审核上线 {len(unreviewed)} 条",
        unreviewed,
    )  # fmt: skip
    return accuracy, review


async def _publishing(s: AsyncSession, account: Account, since: datetime, as_of: datetime) -> Item:
    per = await store.account_status_counts(s, account.id, since, as_of)
    evidence = [
        Evidence("publication", f"#{pub_id}", label, None, "")
        for status, label in ((P.FAILED, "发布失败"), (P.NEEDS_CHECK, "待人工核对"))
        for pub_id in per.get(status, ())
    ]
    failed, check = len(per.get(P.FAILED, ())), len(per.get(P.NEEDS_CHECK, ()))
    return Item.of(rules.PUBLISH, rules.count_status(failed + check),
                   f"发布失败 {failed} 条，待人工核对 {check} 条", evidence)  # fmt: skip


async def _general(s: AsyncSession, since: datetime, as_of: datetime) -> list[Item]:
    out = []
    checked, problem = await audit.verify(s)
    out.append(Item("audit", "审计留痕", rules.VETO, rules.FAIL if problem else rules.PASS,
                    f"审计日志被篡改：{problem}" if problem else f"审计日志完整（{checked} 条）",
                    rules.BUREAU))  # fmt: skip
    for level, name, detail in await wording_clock.findings(s, since, as_of):
        status = rules.PASS if level == "ok" else rules.FAIL  # the clock's lines: ok | deduct
        out.append(Item("guides", name, rules.DEDUCT, status, detail, rules.BUREAU))
    overrides = await store.override_count(s, since)
    out.append(Item("overrides", "例外审批", "info", rules.PASS,
                    f"期内负责人书面批准例外 {overrides} 次（均有审计记录）", rules.BUREAU))  # fmt: skip
    return out


def as_of_end_of_day(value: str) -> datetime:
    """``2026-12-01`` → the end of that Beijing day (the report computes as of it)."""
    day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=SHANGHAI)
    return day + timedelta(days=1) - timedelta(microseconds=1)


async def build(
    session: AsyncSession,
    *,
    days: int = 30,
    as_of: datetime | None = None,
    account: str | None = None,
    clocks: Clocks | None = None,
) -> Report:
    """The report for the ``days`` before ``as_of`` (default now); ``account``: one key only.
    ``clocks``: the seed's clocks' settings (``inspection_extras``; None: left out)."""
    as_of = as_of or utcnow()
    since = as_of - timedelta(days=days)
    report = Report(since=since, as_of=as_of)
    syncs = await posts_store.syncs(session)
    for acc in await dstore.all_accounts(session):
        if account is not None and acc.key != account:
            continue
        sync = syncs.get(acc.id)
        synced = sync is not None and sync.ok_at is not None
        said = "从未同步"
        if sync is not None:
            said = fmt(sync.ran_at) + (f"（{sync.problem}）" if sync.problem else "")
        entry = AccountReport(acc.key, f"{acc.name}（{PLATFORM_LABELS.get(acc.platform, acc.platform)}）",
                              acc.platform, said)  # fmt: skip
        entry.items.append(await _update(session, acc, as_of, synced))
        interaction, answers = await _answers(session, acc, since, as_of)
        accuracy, review = await _accuracy_and_review(session, acc, since, as_of)
        entry.items += [interaction, accuracy, review, answers]
        entry.items.append(await _publishing(session, acc, since, as_of))
        report.accounts.append(entry)
    if account is None:
        report.general = await _general(session, since, as_of)
        report.general += await extra_items(session, since, as_of, clocks or Clocks())
    return report
