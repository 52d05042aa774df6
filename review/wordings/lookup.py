"""Finding approved wordings and putting one into an answer.

Search is a substring match (Chinese needs no segmentation for this) over the live entries'
title, topic, keywords and text, every word required; the library is small, so it is read
whole and filtered here. ``expand`` turns a reference in a reply — the whole reply ``口径12``,
or ``【口径12】`` anywhere in it — into the approved text, so a replier can adapt around it.
A reference to an entry with no approved version is refused, never sent as typed.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy.ext.asyncio import AsyncSession

from review.errors import Conflict, NotFound
from review.models import WordingEntry, WordingVersion
from review.store import wordings as store

_WHOLE = re.compile(r"^\s*口径\s*#?(\d{1,9})\s*$")
_BRACKETED = re.compile(r"【\s*口径\s*#?(\d{1,9})\s*】")

Live = tuple[WordingEntry, WordingVersion]


def words(query: str) -> list[str]:
    return unicodedata.normalize("NFKC", query).lower().split()


def matches(entry: WordingEntry, version: WordingVersion, wanted: list[str]) -> bool:
    hay = " ".join([entry.title, entry.topic, *entry.keywords, version.text]).lower()
    hay = unicodedata.normalize("NFKC", hay)
    return all(w in hay for w in wanted)


async def search(
    session: AsyncSession, query: str, *, kind: str | None = None, limit: int = 20
) -> list[Live]:
    """Live entries holding every word of ``query``, titles that match first."""
    wanted = words(query)
    found = [(e, v) for e, v in await store.live(session, kind) if matches(e, v, wanted)]
    found.sort(key=lambda ev: (not all(w in ev[0].title.lower() for w in wanted), ev[0].id))
    return found[:limit]


async def insert(session: AsyncSession, entry_id: int) -> str:
    """The approved text of entry ``entry_id``, for a reply."""
    entry = await store.entry(session, entry_id)
    if entry is None:
        raise NotFound(
            f"口径{entry_id} 不存在，请用「口径 关键词」（命令行：newmedia wording search 关键词）"
            "查找编号"
        )
    live = await store.live_version(session, entry_id)
    if live is None:
        raise Conflict(f"口径{entry_id}「{entry.title}」尚无审定版本，不能引用")
    return live.text


def references(text: str) -> list[int]:
    """The entry numbers ``text`` refers to (pure; empty: nothing to expand)."""
    whole = _WHOLE.match(text)
    if whole:
        return [int(whole.group(1))]
    return [int(m.group(1)) for m in _BRACKETED.finditer(text)]


async def expand(session: AsyncSession, text: str) -> str:
    """``text`` with each reference replaced by the approved wording."""
    whole = _WHOLE.match(text)
    if whole:
        return await insert(session, int(whole.group(1)))
    texts = {n: await insert(session, n) for n in references(text)}
    return _BRACKETED.sub(lambda m: texts[int(m.group(1))], text)
