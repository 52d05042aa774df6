"""Read models of the 口径 library for the CLI (``--json``), chat and the console."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from review.models import WordingEntry, WordingVersion
from review.store import directory as dstore
from review.store import wordings as store
from review.timefmt import fmt
from review.wordings.policy import KINDS, STATUS_LABELS


@dataclass(frozen=True)
class ApprovalView:
    stage: str
    decision: str
    by: str
    at: str
    note: str | None


@dataclass(frozen=True)
class VersionView:
    id: int
    number: int
    title: str
    keywords: list[str]
    text: str
    status: str
    status_label: str
    author: str
    created_at: str
    submitted_at: str | None
    due_at: str | None
    approved_at: str | None
    awaiting: str | None
    approvals: list[ApprovalView] = field(default_factory=list)


@dataclass(frozen=True)
class EntryView:
    id: int
    kind: str
    kind_label: str
    title: str
    topic: str
    department: str
    department_id: int
    keywords: list[str]
    #: the approved text in use, None until one is approved
    text: str | None
    live_version: int | None
    newest_status: str | None
    versions: list[VersionView] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _at(value: datetime | None) -> str | None:
    return fmt(value) if value is not None else None


async def _name(session: AsyncSession, person_id: int | None) -> str:
    if person_id is None:
        return "系统"
    person = await dstore.person_by_id(session, person_id)
    return person.name if person is not None else f"#{person_id}"


async def version_view(session: AsyncSession, v: WordingVersion) -> VersionView:
    approvals = [
        ApprovalView(
            a.stage_name, a.decision, await _name(session, a.person_id), fmt(a.decided_at), a.note
        )
        for a in await store.approvals(session, v.id)
    ]
    awaiting = v.chain[v.stage_index]["name"] if v.status == "in_review" else None
    return VersionView(
        id=v.id, number=v.number, title=v.title, keywords=list(v.keywords), text=v.text,
        status=v.status, status_label=STATUS_LABELS.get(v.status, v.status),
        author=await _name(session, v.author_id), created_at=fmt(v.created_at),
        submitted_at=_at(v.submitted_at), due_at=_at(v.due_at), approved_at=_at(v.approved_at),
        awaiting=awaiting, approvals=approvals,
    )  # fmt: skip


async def entry_view(
    session: AsyncSession,
    entry: WordingEntry,
    live: WordingVersion | None,
    newest: WordingVersion | None,
    *,
    history: bool = False,
) -> EntryView:
    dept = await dstore.department_by_id(session, entry.department_id)
    versions = (
        [await version_view(session, v) for v in await store.versions(session, entry.id)]
        if history
        else []
    )
    return EntryView(
        id=entry.id, kind=entry.kind, kind_label=KINDS[entry.kind], title=entry.title,
        topic=entry.topic, department=dept.name if dept else "", department_id=entry.department_id,
        keywords=list(entry.keywords), text=live.text if live else None,
        live_version=live.number if live else None,
        newest_status=newest.status if newest else None, versions=versions,
    )  # fmt: skip


async def listing(session: AsyncSession, kind: str | None = None) -> list[EntryView]:
    return [
        await entry_view(session, e, live, newest)
        for e, live, newest in await store.listing(session, kind)
    ]


async def detail(session: AsyncSession, entry_id: int) -> EntryView | None:
    entry = await store.entry(session, entry_id)
    if entry is None:
        return None
    live = await store.live_version(session, entry_id)
    newest = await store.newest(session, entry_id)
    return await entry_view(session, entry, live, newest, history=True)
