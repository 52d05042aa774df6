"""The 办事指南 auto-answers as entries of the 口径 library.

The callback answers from the approved 办事指南 entries (``answers``: one query, built into the
same ``KeywordAnswers`` the fast path already matches with, held in memory by the inbox and
refreshed after a change — never a query per callback). The shipped or configured TOML file
is the seed: ``import_file`` makes each of its entries an approved 办事指南 entry, approved by
the system and audited, where the library has none of that title yet. Its fillers stay live.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review.keyword_answers import GuideAnswer, KeywordAnswers
from review.models import WordingEntry
from review.states import WordingStatus as W
from review.store import audit
from review.store import wordings as store
from review.wordings.decisions import record
from review.wordings.policy import clean_keywords

IMPORT_STAGE = "系统导入（随系统发布的办事指南）"


#: what a snapshot was built from: the live versions' ids (a change of any makes a new one)
Stamp = tuple[int, ...]


async def answers(
    session: AsyncSession, fillers: tuple[str, ...], previous: Stamp | None = None
) -> tuple[KeywordAnswers | None, Stamp]:
    """The approved 办事指南 entries as keyword answers, and their stamp. The answers are None
    while the library holds no 办事指南 entry (the file answers then), and None too when the
    stamp equals ``previous``: nothing changed, the caller keeps the object it has."""
    live = await store.live(session, "guide")
    stamp = tuple(sorted(v.id for _e, v in live))
    if not live and not await store.count_kind(session, "guide"):
        return None, stamp
    if previous is not None and stamp == previous:
        return None, stamp
    entries: dict[str, GuideAnswer] = {}
    for _entry, version in live:
        answer = GuideAnswer(version.title, version.text)
        for key in [version.title, *version.keywords]:
            entries[key] = answer
    return KeywordAnswers(entries, fillers), stamp


async def import_file(
    session: AsyncSession, seed: KeywordAnswers, owner_id: int, now: datetime
) -> list[str]:
    """Each seed entry not yet in the library becomes an approved 办事指南 entry; the titles
    imported. Entries already there are left alone: a change goes through review."""
    imported = []
    for answer, keys in seed.listed():
        if await store.entry_by_title(session, "guide", answer.title) is not None:
            continue
        entry = WordingEntry(
            kind="guide", title=answer.title, topic="", department_id=owner_id, keywords=[]
        )
        session.add(entry)
        await session.flush()
        version = await store.add_version(
            session, entry_id=entry.id, title=answer.title, keywords=clean_keywords(keys),
            text=answer.answer, status=str(W.DRAFT), author_id=None,
        )  # fmt: skip
        chain = [{"name": IMPORT_STAGE, "department_id": owner_id, "role": "reviewer"}]
        await store.submit(session, version.id, None, now, chain, None)
        await session.refresh(version)
        await audit.append(
            session, actor="system", action="wording.import", subject_type="wording",
            subject_id=entry.id, detail={"kind": "guide", "title": answer.title},
        )  # fmt: skip
        await record(session, None, entry, version, approve=True, note=None, now=now)
        imported.append(answer.title)
    return imported
