"""What a reviewer sees of a task: one read model shared by chat, CLI, API and console."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from review.chains import TASK_LABELS
from review.errors import NotFound
from review.models import (
    Account,
    Department,
    Draft,
    GateRun,
    Person,
    ReviewStage,
    ReviewTask,
    Revision,
)
from review.states import TaskStatus as T
from review.timefmt import fmt


@dataclass(frozen=True)
class TaskView:
    id: int
    draft_id: int
    title: str
    kind: str
    account_key: str
    account_name: str
    platform: str
    stage_name: str
    stage_position: int  # 1-based among the stages that apply to this kind
    stage_total: int
    department: str
    status: str
    status_label: str
    holder_id: int | None
    holder_name: str | None
    lease_until: datetime | None
    gate_verdict: str | None
    gate_warnings: tuple[str, ...]
    author_name: str
    revision: int
    current: bool  # the task's revision is still the draft's current one
    next_step: str
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["lease_until"] = self.lease_until.isoformat() if self.lease_until else None
        out["gate_warnings"] = list(self.gate_warnings)
        return out


def _warnings(run: GateRun | None) -> tuple[str, ...]:
    if run is None:
        return ()
    overridden = set(run.report.get("overridden", []))
    out: list[str] = []
    for check in run.report.get("checks", []):
        if check.get("verdict") == "warn":
            out.append(str(check.get("reason", "")))
        elif check.get("verdict") == "block" and check.get("name") in overridden:
            out.append(f"{check.get('reason', '')}（负责人已批准例外）")
    return tuple(out)


def _next_step(
    task: ReviewTask, dept: str, holder: str | None, stages: Sequence[ReviewStage], current: bool
) -> str:
    status = T(task.status)
    if not current and status in (T.OPEN, T.CLAIMED):
        return "稿件已修改，此任务将作废，请查看新版本"
    if status == T.OPEN:
        head = any(s.position == task.stage_index and s.role == "head" for s in stages)
        who = "负责人" if head else "审核人"
        return f"待{dept}{who}认领；认领后只有认领人可以通过、驳回或退回修改"
    if status == T.CLAIMED:
        return f"由 {holder} 审核中，须在 {fmt(task.lease_until)} 前通过、驳回或退回修改"
    if status == T.APPROVED:
        later = [s.name for s in stages if s.position > task.stage_index]
        return f"已通过，转入「{later[0]}」" if later else "本账号审核已全部通过"
    if status == T.REJECTED:
        return "已驳回，稿件不再发布"
    if status == T.CHANGES_REQUESTED:
        return "已退回作者修改，修改后重新提交将重新审核"
    return "已作废（稿件已修改或流程已终止）"


async def task_views(session: AsyncSession, ids: Sequence[int]) -> list[TaskView]:
    """Views for many tasks with a fixed number of queries (no per-task round trips)."""
    if not ids:
        return []
    rows = (
        await session.execute(
            select(ReviewTask, Draft, Revision, Account, Department)
            .join(Draft, Draft.id == ReviewTask.draft_id)
            .join(Revision, Revision.id == ReviewTask.revision_id)
            .join(Account, Account.id == ReviewTask.account_id)
            .join(Department, Department.id == ReviewTask.department_id)
            .where(ReviewTask.id.in_(list(ids)))
            .order_by(ReviewTask.id)
            .execution_options(populate_existing=True)
        )
    ).all()
    person_ids = {r[0].claimed_by for r in rows if r[0].claimed_by} | {r[1].author_id for r in rows}
    names = {
        p.id: p.name
        for p in (await session.scalars(select(Person).where(Person.id.in_(person_ids)))).all()
    }
    rev_ids = {r[2].id for r in rows}
    runs: dict[int, GateRun] = {}
    for run in (
        await session.scalars(
            select(GateRun).where(GateRun.revision_id.in_(rev_ids)).order_by(GateRun.id)
        )
    ).all():
        runs[run.revision_id] = run  # the latest wins
    account_ids = {r[3].id for r in rows}
    chains: dict[int, list[ReviewStage]] = {}
    for stage in (
        await session.scalars(
            select(ReviewStage)
            .where(ReviewStage.account_id.in_(account_ids))
            .order_by(ReviewStage.position)
        )
    ).all():
        chains.setdefault(stage.account_id, []).append(stage)
    views: list[TaskView] = []
    for task, draft, rev, account, dept in rows:
        stages = [s for s in chains.get(account.id, []) if s.applies_to(rev.kind)]
        positions = [s.position for s in stages]
        pos = positions.index(task.stage_index) + 1 if task.stage_index in positions else 0
        holder = names.get(task.claimed_by) if task.claimed_by else None
        current = draft.current_revision == rev.number
        latest = runs.get(rev.id)
        views.append(
            TaskView(
                id=task.id,
                draft_id=draft.id,
                title=rev.title,
                kind=rev.kind,
                account_key=account.key,
                account_name=account.name,
                platform=account.platform,
                stage_name=task.stage_name,
                stage_position=pos,
                stage_total=len(stages),
                department=dept.name,
                status=task.status,
                status_label=TASK_LABELS.get(T(task.status), task.status),
                holder_id=task.claimed_by,
                holder_name=holder,
                lease_until=task.lease_until,
                gate_verdict=latest.verdict if latest else None,
                gate_warnings=_warnings(latest),
                author_name=names.get(draft.author_id, ""),
                revision=rev.number,
                current=current,
                next_step=_next_step(task, dept.name, holder, stages, current),
                note=task.note,
            )
        )
    return views


async def task_view(session: AsyncSession, task_id: int) -> TaskView:
    views = await task_views(session, [task_id])
    if not views:
        raise NotFound(f"任务 {task_id} 不存在")
    return views[0]
