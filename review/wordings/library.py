"""Create, edit and submit 口径 / 办事指南 entries: every change a new version, every action audited.

Who may: staff of the owning department (谁开设、谁管理) or an admin. An edit never touches the
live version: it adds a version (older unapproved ones give way) that is used only once
approved. Submitting pins the chain (``policy.chain``) and, for 办事指南, the time it must be
live by; the owning department is told a version is waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review.errors import Conflict, Forbidden, NotFound
from review.models import Department, Person, WordingEntry, WordingVersion
from review.notify import notify
from review.states import WordingStatus as W
from review.store import audit
from review.store import directory as dstore
from review.store import wordings as store
from review.timefmt import fmt
from review.wordings.policy import KINDS, WordingPolicy, chain, check_text, clean_keywords


@dataclass(frozen=True)
class Proposal:
    title: str
    text: str
    keywords: tuple[str, ...] = ()
    topic: str | None = None


def may_manage(person: Person, entry_department_id: int) -> bool:
    return person.has_role("admin") or person.department_id == entry_department_id


def ensure_manager(person: Person, entry: WordingEntry, department: str = "") -> None:
    if not may_manage(person, entry.department_id):
        raise Forbidden(
            f"口径{entry.id}「{entry.title}」由{department or '其所属处室'}管理，"
            f"{person.name} 不能修改或提交"
        )


async def load_entry(session: AsyncSession, entry_id: int) -> WordingEntry:
    entry = await store.entry(session, entry_id)
    if entry is None:
        raise NotFound(f"口径{entry_id} 不存在，请用「口径 关键词」或 wording list 查找编号")
    return entry


async def create(
    session: AsyncSession,
    person: Person,
    kind: str,
    proposal: Proposal,
    *,
    department: Department | None = None,
) -> tuple[WordingEntry, WordingVersion]:
    """A new entry and its first version (a draft until submitted)."""
    title, text = check_text(proposal.title, proposal.text)
    dept_id = department.id if department is not None else person.department_id
    if not may_manage(person, dept_id):
        raise Forbidden("只能为本处室新建口径（管理员除外）")
    if await store.entry_by_title(session, kind, title) is not None:
        raise Conflict(f"已有同名{KINDS[kind]}「{title}」，请用 edit 修改它")
    keywords = clean_keywords(proposal.keywords)
    entry = WordingEntry(
        kind=kind, title=title, topic=(proposal.topic or "").strip(),
        department_id=dept_id, keywords=[], created_by=person.id,
    )  # fmt: skip
    session.add(entry)
    await session.flush()
    version = await store.add_version(
        session, entry_id=entry.id, title=title, keywords=keywords, text=text,
        status=str(W.DRAFT), author_id=person.id,
    )  # fmt: skip
    await record_action(session, person, "wording.create", entry, version)
    return entry, version


async def edit(
    session: AsyncSession, person: Person, entry_id: int, proposal: Proposal
) -> WordingVersion:
    """A new version of the entry; the live one stays in use until this one is approved."""
    entry = await load_entry(session, entry_id)
    ensure_manager(person, entry, await _dept_name(session, entry.department_id))
    title, text = check_text(proposal.title or entry.title, proposal.text)
    newest = await store.newest(session, entry.id)
    keywords = clean_keywords(proposal.keywords) if proposal.keywords else None
    if keywords is None:
        keywords = list(newest.keywords) if newest is not None else list(entry.keywords)
    if proposal.topic is not None:
        entry.topic = proposal.topic.strip()
    version = await store.add_version(
        session, entry_id=entry.id, title=title, keywords=keywords, text=text,
        status=str(W.DRAFT), author_id=person.id,
    )  # fmt: skip
    await store.supersede_pending(session, entry.id, keep=version.id)
    await record_action(session, person, "wording.edit", entry, version)
    return version


async def submit(
    session: AsyncSession, person: Person, entry_id: int, policy: WordingPolicy, now: datetime
) -> WordingVersion:
    """Send the entry's newest draft version to the first stage of its chain."""
    entry = await load_entry(session, entry_id)
    ensure_manager(person, entry, await _dept_name(session, entry.department_id))
    version = await store.newest(session, entry.id)
    if version is None or version.status != W.DRAFT:
        state = "没有版本" if version is None else f"最新版本 v{version.number} 不是草稿"
        raise Conflict(f"口径{entry.id} {state}，无需提交；修改请先 edit")
    ids = await store.department_ids(session)
    stages = chain(policy, entry.kind, entry.department_id, ids)
    due = policy.due_at(entry.kind, now)
    if not await store.submit(session, version.id, person.id, now, stages, due):
        raise Conflict(f"口径{entry.id} 的版本 v{version.number} 状态已变化，请刷新后再试")
    await session.refresh(version)
    await record_action(session, person, "wording.submit", entry, version, due_at=due)
    await notify_stage(session, entry, version)
    return version


async def notify_stage(session: AsyncSession, entry: WordingEntry, version: WordingVersion) -> None:
    """Tell the awaited stage's department a version is waiting (once per stage)."""
    stage = version.chain[version.stage_index]
    due = f"，须在 {fmt(version.due_at)} 前审定上线" if version.due_at else ""
    await notify(
        session,
        kind="wording_waiting",
        subject=f"wording:{entry.id}",
        text=(
            f"{KINDS[entry.kind]}{entry.id}「{version.title}」v{version.number} 待{stage['name']}{due}"
        ),
        department_id=int(stage["department_id"]),
        payload={
            "entry_id": entry.id,
            "version_id": version.id,
            "stage": stage["name"],
            "role": stage["role"],
        },
        dedup_key=f"wording_waiting:{version.id}:{version.stage_index}",
    )


async def _dept_name(session: AsyncSession, dept_id: int) -> str:
    dept = await dstore.department_by_id(session, dept_id)
    return dept.name if dept is not None else ""


async def record_action(
    session: AsyncSession,
    person: Person | None,
    action: str,
    entry: WordingEntry,
    version: WordingVersion,
    **extra: object,
) -> None:
    detail: dict[str, object] = {"kind": entry.kind, "version": version.number}
    detail |= {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in extra.items()}
    await audit.append(
        session,
        actor=person.key if person is not None else "system",
        action=action,
        subject_type="wording",
        subject_id=entry.id,
        detail=detail,
    )
