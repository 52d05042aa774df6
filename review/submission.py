"""Submitting a draft: the gate on its current revision, then the first stage of every chain.
Only the accounts' owner department submits (谁开设、谁管理: ``review.draft_rights``).

A block returns the draft to its editor with the reasons; a warning travels with it to the
reviewers. Checks a head has overridden (an audited Override for this revision) do not block.
Re-submitting after an edit supersedes the older revision's tasks and cancels its
still-scheduled publications, so review restarts on the new content.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import PlatformLimits
from review import chains, staffing
from review.checks import run_gate
from review.checks.labels import check_label
from review.checks.types import GateInput, GateReport, GateTarget, Verdict
from review.disclosure import DEFAULT as DEFAULT_DISCLOSURE
from review.draft_access import ensure_manager
from review.errors import Conflict, Forbidden, NotFound, ValidationFailed
from review.models import Account, Draft, Override, Person, ReviewTask, Revision, utcnow
from review.notify import notify
from review.publishing.rules import AMBIGUOUS
from review.states import DRAFT_LABELS, DraftStatus, PublicationStatus
from review.states import TaskStatus as T
from review.store import audit
from review.store import directory as dirstore
from review.store import drafts as dstore
from review.store import review as rstore
from review.store import scheduling as sstore

Gate = Callable[[GateInput], GateReport]
IN_FLIGHT = (PublicationStatus.PUBLISHING, PublicationStatus.PENDING, PublicationStatus.NEEDS_CHECK)


@dataclass(frozen=True)
class SubmitResult:
    draft_id: int
    revision: int
    verdict: str  # the effective verdict: pass | warn | block
    blocked: bool
    reasons: tuple[str, ...]  # why it is blocked
    warnings: tuple[str, ...]  # what travels to the reviewers
    overridden: tuple[str, ...]
    tasks: tuple[ReviewTask, ...]
    gate_run_id: int
    superseded: tuple[int, ...] = ()
    cancelled_publications: tuple[int, ...] = ()
    blocking: tuple[str, ...] = ()  # the names of the checks that block it


def gate_input(
    revision: Revision, accounts: list[Account], safe_domains: Mapping[str, str | None]
) -> GateInput:
    return GateInput(
        title=revision.title,
        body=revision.body,
        kind=revision.kind,
        source=revision.source,
        author=revision.author_name,
        digest=revision.digest,
        has_cover=bool(revision.cover_path),
        targets=tuple(GateTarget(a.key, a.platform, safe_domains.get(a.key)) for a in accounts),
        disclosure=revision.disclosure or DEFAULT_DISCLOSURE,  # an unsaved one may have none
    )


async def _check_resubmittable(session: AsyncSession, draft: Draft, revision: Revision) -> None:
    status = DraftStatus(draft.status)
    if status == DraftStatus.REJECTED:
        raise Conflict(f"稿件 {draft.id} 已被驳回，不能再提交；请新建稿件")
    if await rstore.tasks_of_revision(session, revision.id):
        if status == DraftStatus.CHANGES_REQUESTED:
            raise ValidationFailed(f"稿件 {draft.id} 已被退回修改，请先修改后再提交")
        label = DRAFT_LABELS.get(status, str(status))
        raise Conflict(f"稿件 {draft.id} 第 {revision.number} 版已提交（{label}），无需重复提交")
    for pub in await sstore.publications_of(session, draft.id):
        if pub.status == PublicationStatus.SCHEDULED and (pub.receipt_extra or {}).get(AMBIGUOUS):
            # its last attempt may be live: cancelling it now could put a second version out
            raise Conflict(
                f"稿件 {draft.id} 上次发布结果不明（请求超时或中断，可能已发出），系统正在核对；"
                f"请先等核对结果，如转为「待人工核对」，先用 newmedia publications settle "
                f"{pub.id} … 处理后再提交修改"
            )
        if pub.status in IN_FLIGHT:
            raise Conflict(f"稿件 {draft.id} 正在发布中，请等发布结束后再提交修改")
        if pub.status == PublicationStatus.PUBLISHED:
            raise Conflict(f"稿件 {draft.id} 已发布，修改不会重新发布；如需更正请另发更正稿")


async def submit(
    session: AsyncSession,
    draft_id: int,
    actor: Person,
    *,
    gate: Gate | None = None,
    safe_domains: Mapping[str, str | None] | None = None,
    limits: Mapping[str, PlatformLimits] | None = None,
    now: datetime | None = None,
) -> SubmitResult:
    """Gate the current revision; block it back to the editor or open each account's chain.

    ``limits`` (platform → what it refuses, from the adapters via ``Services.platform_limits``)
    feed the default gate and are required with it: a caller that forgot them would otherwise
    let every draft through the platform-limit check with a mere warning.
    """
    if gate is None and limits is None:
        raise TypeError("submit() runs the default gate: pass the platforms' limits")
    now = now or utcnow()
    draft = await rstore.lock_draft(session, draft_id)
    if draft is None:
        raise NotFound(f"稿件 {draft_id} 不存在")
    revision = await dstore.current_revision(session, draft)
    accounts = await dstore.target_accounts(session, draft.id)
    if not accounts:
        raise ValidationFailed(f"稿件 {draft.id} 没有发布账号", field="accounts")
    # 谁开设、谁管理: only the accounts' owner department sends a draft on its way
    await ensure_manager(session, actor, draft, accounts, "submit")
    await _check_resubmittable(session, draft, revision)
    # before the gate run records the submitter as involved: a stage left without a reviewer
    await staffing.ensure_staffed(session, draft, revision.kind, actor, acting="submit")
    previous = DraftStatus(draft.status)
    superseded = await rstore.supersede(
        session, draft.id, (T.OPEN, T.CLAIMED, T.WAITING, T.APPROVED), keep_revision=revision.id
    )
    cancelled = await sstore.cancel_scheduled(session, draft.id)
    if not await dstore.move_draft(session, draft.id, previous, DraftStatus.SUBMITTED):
        raise Conflict(f"稿件 {draft.id} 状态已变化，请刷新后再试")

    gate = gate or partial(run_gate, limits=limits or {})
    report = gate(gate_input(revision, accounts, safe_domains or {}))
    overrides = {o.check_name for o in await rstore.overrides_for(session, revision.id)}
    blocks = [c for c in report.checks if c.verdict == Verdict.BLOCK]
    blocking = [c for c in blocks if c.name not in overrides]
    overridden = tuple(c.name for c in blocks if c.name in overrides)
    warnings = tuple(c.reason for c in report.checks if c.verdict == Verdict.WARN) + tuple(
        f"{c.reason}（负责人已批准例外）" for c in blocks if c.name in overrides
    )
    verdict = Verdict.BLOCK if blocking else Verdict.WARN if warnings else Verdict.PASS
    body = {**report.to_json(), "raw_verdict": str(report.verdict), "overridden": list(overridden)}
    run = await dstore.record_gate_run(
        session, revision.id, str(verdict), body, submitted_by=actor.id
    )
    reasons = tuple(c.reason for c in blocking)

    tasks: list[ReviewTask] = []
    if blocking:
        await dstore.move_draft(session, draft.id, DraftStatus.SUBMITTED, DraftStatus.BLOCKED)
        await notify(
            session,
            kind="draft_blocked",
            subject=f"draft:{draft.id}",
            text=f"稿件 {draft.id}「{revision.title}」未通过自动检查：{'；'.join(reasons)}。请修改后重新提交",
            person_id=draft.author_id,
            payload={"draft_id": draft.id, "checks": [c.name for c in blocking]},
        )
    else:
        await dstore.move_draft(session, draft.id, DraftStatus.SUBMITTED, DraftStatus.IN_REVIEW)
        for account in accounts:
            stage = await chains.next_stage(session, account.id, revision.kind, None)
            if stage is None:
                raise ValidationFailed(
                    f"账号「{account.name}」没有适用于「{revision.kind}」的审核环节，不能发布"
                )
            tasks.append(await chains.open_stage(session, draft, revision, account, stage))
    await audit.append(
        session,
        actor=actor.key,
        action="draft.submit",
        subject_type="draft",
        subject_id=draft.id,
        detail={
            "revision": revision.number,
            "hash": revision.content_hash,
            "verdict": str(verdict),
            "blocking": [c.name for c in blocking],
            "overridden": list(overridden),
            "tasks": [t.id for t in tasks],
            "superseded": superseded,
            "cancelled_publications": cancelled,
        },
    )
    return SubmitResult(
        draft_id=draft.id,
        revision=revision.number,
        verdict=str(verdict),
        blocked=bool(blocking),
        reasons=reasons,
        warnings=warnings,
        overridden=overridden,
        tasks=tuple(tasks),
        gate_run_id=run.id,
        superseded=tuple(superseded),
        cancelled_publications=tuple(cancelled),
        blocking=tuple(c.name for c in blocking),
    )


MIN_OVERRIDE_REASON = 10


async def override(
    session: AsyncSession, draft_id: int, head: Person, check_name: str, reason: str
) -> Override:
    """A head's written, audited decision to let one blocking check pass for this revision
    (e.g. personal_data on a 惩戒性公示). Only a head of a department in the draft's chains."""
    draft = await rstore.lock_draft(session, draft_id)
    if draft is None:
        raise NotFound(f"稿件 {draft_id} 不存在")
    if not head.has_role("head") or not head.active:
        raise Forbidden(f"{head.name} 不是部门负责人，不能批准例外")
    if head.id == draft.author_id:
        raise Forbidden("不能为自己撰写的稿件批准例外")
    departments: set[int] = set()
    for account in await dstore.target_accounts(session, draft.id):
        departments.add(account.owner_department_id)
        departments.update(
            s.department_id for s in await dirstore.review_chain(session, account.id)
        )
    if head.department_id not in departments:
        raise Forbidden(f"{head.name} 所在部门不在稿件 {draft.id} 的审核链中，不能批准例外")
    reason = reason.strip()
    if len(reason) < MIN_OVERRIDE_REASON:
        raise ValidationFailed(f"例外理由至少 {MIN_OVERRIDE_REASON} 个字", field="reason")
    revision = await dstore.current_revision(session, draft)
    run = await dstore.latest_gate_run(session, revision.id)
    if run is None:
        raise ValidationFailed(f"稿件 {draft.id} 第 {revision.number} 版尚未经过自动检查，请先提交")
    checks = {c.get("name"): c for c in run.report.get("checks", [])}
    found = checks.get(check_name)
    if found is None or found.get("verdict") != "block":
        blocked = (
            "、".join(check_label(str(n)) for n, c in checks.items() if c.get("verdict") == "block")
            or "无"
        )
        raise ValidationFailed(
            f"检查「{check_label(check_name)}」没有拦截稿件 {draft.id} 第 {revision.number} 版（拦截的检查：{blocked}）",
            field="check",
        )
    if not found.get("overridable"):
        # only what the gate itself marks overridable (personal data in a 惩戒性公示); never
        # secrecy markers, wording or platform limits
        raise Forbidden(
            f"检查「{check_label(check_name)}」的拦截不允许例外放行，请修改稿件后重新提交",
            field="check",
        )
    if check_name in {o.check_name for o in await rstore.overrides_for(session, revision.id)}:
        raise Conflict(
            f"稿件 {draft.id} 第 {revision.number} 版的「{check_label(check_name)}」已批准过例外"
        )
    await staffing.ensure_staffed(session, draft, revision.kind, head, acting="override")
    row = await rstore.add_override(session, revision.id, check_name, head.id, reason)
    await notify(
        session,
        kind="draft_override",
        subject=f"draft:{draft.id}",
        text=f"{head.name} 已对稿件 {draft.id}「{revision.title}」的「{check_label(check_name)}」检查批准例外，请重新提交",
        person_id=draft.author_id,
        payload={"draft_id": draft.id, "check": check_name},
    )
    await audit.append(
        session,
        actor=head.key,
        action="draft.override",
        subject_type="draft",
        subject_id=draft.id,
        detail={
            "revision": revision.number,
            "hash": revision.content_hash,
            "check": check_name,
            "reason": reason,
            "overridable": bool(found.get("overridable", False)),
        },
    )
    return row
