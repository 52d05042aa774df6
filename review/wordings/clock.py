"""The 办事指南 clock: a changed entry must be approved and live within one working day.

Each submitted 办事指南 version carries ``due_at`` (``policy.due_at``). ``remind`` — run by a
tick — tells the awaited stage's department before it runs out and the department's head once
it has (dedup keys: once each); ``findings`` gives the inspection report its line: versions
that went live late and versions still waiting past the limit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from review.notify import notify
from review.states import WordingStatus as W
from review.store import directory as dstore
from review.store import wordings as store
from review.timefmt import fmt

ITEM = "办事指南更新时效"


async def remind(session: AsyncSession, now: datetime, hours_before: int) -> int:
    """Reminders and escalations due now; the number written (repeats are no-ops)."""
    written = 0
    for entry, version in await store.awaiting(session):
        if version.due_at is None:
            continue
        stage = version.chain[version.stage_index]
        dept_id = int(stage["department_id"])
        label = f"办事指南{entry.id}「{version.title}」v{version.number}（{stage['name']}）"
        payload = {"entry_id": entry.id, "version_id": version.id, "stage": stage["name"]}
        if now >= version.due_at:
            dept = await dstore.department_by_id(session, dept_id)
            head = (
                await dstore.person_by_key(session, dept.head_key)
                if dept and dept.head_key
                else None
            )
            note = await notify(
                session, kind="wording_overdue", subject=f"wording:{entry.id}",
                text=f"{label} 已超过 {fmt(version.due_at)} 的上线时限仍未审定",
                department_id=None if head else dept_id, person_id=head.id if head else None,
                payload=payload, dedup_key=f"wording_overdue:{version.id}", at=now,
            )  # fmt: skip
        elif now >= version.due_at - timedelta(hours=hours_before):
            note = await notify(
                session, kind="wording_due", subject=f"wording:{entry.id}",
                text=f"{label} 须在 {fmt(version.due_at)} 前审定上线",
                department_id=dept_id, payload=payload,
                dedup_key=f"wording_due:{version.id}:{version.stage_index}", at=now,
            )  # fmt: skip
        else:
            continue
        written += note is not None
    return written


async def findings(
    session: AsyncSession, since: datetime, now: datetime
) -> list[tuple[str, str, str]]:
    """(level, item, detail) lines for ``review.inspection``."""
    rows = await store.guide_clock(session, since)
    late = [
        (e, v)
        for e, v in rows
        if v.approved_at is not None and v.due_at and v.approved_at > v.due_at
    ]
    waiting = [(e, v) for e, v in rows if v.status == W.IN_REVIEW and v.due_at and v.due_at < now]
    out = []
    if late:
        names = "、".join(
            f"{e.title}（{fmt(v.approved_at)}上线，时限 {fmt(v.due_at)}）" for e, v in late[:5]
        )
        out.append(("deduct", ITEM, f"{len(late)} 条办事指南变更超过一个工作日才上线：{names}"))
    if waiting:
        names = "、".join(f"{e.title}（时限 {fmt(v.due_at)}）" for e, v in waiting[:5])
        out.append(("deduct", ITEM, f"{len(waiting)} 条办事指南变更超过时限仍未审定上线：{names}"))
    if not out:
        out.append(("ok", ITEM, f"期内办事指南变更 {len(rows)} 条，均在一个工作日内审定上线"))
    return out
