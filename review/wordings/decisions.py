"""Approve or reject a version at the stage it awaits, with the review rule drafts follow.

Who may decide is ``review.eligibility.refusal`` — the one home of "nobody involved reviews":
the stage's department, a head for a head's stage, and never whoever wrote or submitted the
version (or an unapproved version since the last live one). The guarded UPDATE in
``review.store.wordings.decide`` repeats the stage and involvement checks in SQL. The last
stage's approval makes the version live: the previous live version is superseded and the
entry takes its title and keywords.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review import eligibility
from review.chains import actor
from review.errors import Conflict, Forbidden, NotFound
from review.models import Person, WordingEntry, WordingVersion
from review.notify import notify
from review.states import WordingStatus as W
from review.store import directory as dstore
from review.store import wordings as store
from review.wordings.library import notify_stage, record_action
from review.wordings.policy import KINDS, STATUS_LABELS


@dataclass(frozen=True)
class Outcome:
    entry: WordingEntry
    version: WordingVersion
    stage: str
    live: bool

    def text(self) -> str:
        label = (
            f"{KINDS[self.entry.kind]}{self.entry.id}「{self.version.title}」v{self.version.number}"
        )
        if self.version.status == W.REJECTED:
            return f"{label} 已在「{self.stage}」驳回，作者可修改后重新提交。"
        if self.live:
            return f"{label} 已通过全部审核，现已生效（旧版本保留为历史）。"
        nxt = self.version.chain[self.version.stage_index]["name"]
        return f"{label} 已通过「{self.stage}」，下一步：{nxt}。"


async def facts(session: AsyncSession, version: WordingVersion) -> eligibility.TaskFacts:
    """The awaited stage of ``version`` as the shared rule sees a review task."""
    stage = version.chain[version.stage_index]
    dept = await dstore.department_by_id(session, int(stage["department_id"]))
    return eligibility.TaskFacts(
        id=version.id,
        stage=str(stage["name"]),
        stage_role=str(stage["role"]),
        department_id=int(stage["department_id"]),
        department=dept.name if dept is not None else "",
        involved_ids=await store.involved_ids(session, version),
    )


async def awaited(session: AsyncSession, entry_id: int) -> tuple[WordingEntry, WordingVersion]:
    entry = await store.entry(session, entry_id)
    if entry is None:
        raise NotFound(f"口径{entry_id} 不存在")
    version = await store.newest(session, entry_id)
    if version is None or version.status != W.IN_REVIEW:
        state = STATUS_LABELS.get(version.status, "") if version is not None else "无版本"
        raise Conflict(f"口径{entry_id} 没有待审核的版本（最新版本：{state}）")
    return entry, version


async def refusal(session: AsyncSession, person: Person, version: WordingVersion) -> str | None:
    found = eligibility.refusal(await actor(session, person), await facts(session, version))
    if found is None:
        return None
    if found.reason is eligibility.Reason.INVOLVED:
        return "不能审核自己撰写或提交的口径版本"
    return found.message


async def decide(
    session: AsyncSession,
    person: Person,
    entry_id: int,
    *,
    approve: bool,
    note: str | None,
    now: datetime,
) -> Outcome:
    entry, version = await awaited(session, entry_id)
    why = await refusal(session, person, version)
    if why is not None:
        raise Forbidden(why)
    if not approve and not (note or "").strip():
        raise Conflict("驳回须写明原因")
    return await record(session, person, entry, version, approve=approve, note=note, now=now)


async def record(
    session: AsyncSession,
    person: Person | None,
    entry: WordingEntry,
    version: WordingVersion,
    *,
    approve: bool,
    note: str | None,
    now: datetime,
) -> Outcome:
    """The guarded decision, its approval row, the live switch, audit and notifications.
    ``person`` None: the system's own approval (the shipped 办事指南 import)."""
    position = version.stage_index
    stage = version.chain[position]
    last = position + 1 >= len(version.chain)
    target = W.REJECTED if not approve else (W.APPROVED if last else W.IN_REVIEW)
    pid = person.id if person is not None else None
    if not await store.decide(
        session, version, position=position, person_id=pid, target=target, now=now, note=note
    ):
        raise Conflict(f"口径{entry.id} 的版本 v{version.number} 状态已变化，请刷新后再试")
    await store.add_approval(
        session, version_id=version.id, position=position, stage_name=stage["name"],
        department_id=int(stage["department_id"]), person_id=pid,
        decision="approved" if approve else "rejected", note=note, decided_at=now,
    )  # fmt: skip
    await session.refresh(version)
    live = target is W.APPROVED
    if live:
        await store.supersede_live(session, entry.id, keep=version.id)
        entry.title, entry.keywords = version.title, list(version.keywords)
    action = "wording.approve" if approve else "wording.reject"
    await record_action(session, person, action, entry, version, stage=stage["name"], note=note)
    if target is W.IN_REVIEW:
        await notify_stage(session, entry, version)
    elif version.author_id is not None:
        verdict = "已审定生效" if live else f"被驳回（{stage['name']}：{note}）"
        await notify(
            session,
            kind="wording_decided",
            subject=f"wording:{entry.id}",
            text=f"{KINDS[entry.kind]}{entry.id}「{version.title}」v{version.number} {verdict}",
            person_id=version.author_id,
            dedup_key=f"wording_decided:{version.id}",
        )
    return Outcome(entry, version, str(stage["name"]), live)
