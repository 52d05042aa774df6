"""The 口径 library's operations for every surface (CLI, chat, console): one short transaction
each, people named by key, the domain in ``review.wordings``."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import Services
from bot.wordings import guides
from bot.wordings.policy import policy_from
from review.db import SessionFactory
from review.errors import NotFound
from review.keyword_answers import KeywordAnswers
from review.models import Person
from review.store import directory as dstore
from review.timefmt import fmt
from review.wordings import decisions, guide, library, lookup, views
from review.wordings.library import Proposal
from review.wordings.views import EntryView


async def person(session: AsyncSession, key: str) -> Person:
    found = await dstore.person_by_name_or_key(session, key)
    if found is None or not found.active:
        raise NotFound(f"找不到在职人员「{key}」（settings.toml 中 [[people]] 的 key 或姓名）")
    return found


async def create(
    services: Services, person_key: str, kind: str, proposal: Proposal, department: str | None
) -> EntryView:
    async with services.sessions.begin() as session:
        who = await person(session, person_key)
        dept = None
        if department:
            dept = await dstore.department_by_name_or_key(session, department)
            if dept is None:
                raise NotFound(f"处室「{department}」不存在")
        entry, _ = await library.create(session, who, kind, proposal, department=dept)
        found = await views.detail(session, entry.id)
    assert found is not None
    return found


async def edit(services: Services, person_key: str, entry_id: int, proposal: Proposal) -> int:
    async with services.sessions.begin() as session:
        version = await library.edit(session, await person(session, person_key), entry_id, proposal)
        return version.number


async def submit(services: Services, person_key: str, entry_id: int) -> str:
    async with services.sessions.begin() as session:
        who = await person(session, person_key)
        version = await library.submit(
            session, who, entry_id, policy_from(services.settings), services.clock()
        )
        stage = version.chain[0]["name"]
        due = f"；须在 {fmt(version.due_at)} 前审定上线" if version.due_at else ""
        return f"口径{entry_id} v{version.number} 已提交，待{stage}{due}。"


async def decide(
    services: Services, person_key: str, entry_id: int, *, approve: bool, note: str | None
) -> str:
    async with services.sessions.begin() as session:
        who = await person(session, person_key)
        outcome = await decisions.decide(
            session, who, entry_id, approve=approve, note=note, now=services.clock()
        )
    if outcome.live and outcome.entry.kind == "guide":
        guides.changed()  # committed: this process's callback answers with it at once
    return outcome.text()


async def search(services: Services, query: str, kind: str | None = None) -> list[EntryView]:
    async with services.sessions() as session:
        found = await lookup.search(session, query, kind=kind)
        return [await views.entry_view(session, e, v, v) for e, v in found]


async def listing(services: Services, kind: str | None = None) -> list[EntryView]:
    async with services.sessions() as session:
        return await views.listing(session, kind)


async def show(services: Services, entry_id: int) -> EntryView:
    async with services.sessions() as session:
        found = await views.detail(session, entry_id)
    if found is None:
        raise NotFound(f"口径{entry_id} 不存在")
    return found


async def import_guide(services: Services, seed: KeywordAnswers) -> list[str]:
    """The seed file's entries not yet in the library, imported as approved (audited)."""
    policy = policy_from(services.settings)
    async with services.sessions.begin() as session:
        owner = await dstore.department_by_key(session, policy.guide_owner or "")
        if owner is None:
            raise NotFound(f"[wordings] guide_owner「{policy.guide_owner}」不是已登记的处室")
        return await guide.import_file(session, seed, owner.id, services.clock())


async def expand_wording(sessions: SessionFactory, text: str) -> str:
    """A reply with its 口径 references (``口径12`` alone, or ``【口径12】``) replaced by the
    approved wording; unchanged — and no database read — when it has none."""
    if not lookup.references(text):
        return text
    async with sessions() as session:
        return await lookup.expand(session, text)
