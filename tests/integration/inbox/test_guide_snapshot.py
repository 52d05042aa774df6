"""The callback's 办事指南 snapshot: the file answers while the library is empty; a refresh that
finds the same approved versions keeps the same object (the fast path's memo stays warm); a
change approved in this process is picked up without waiting for the period."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.wordings import guides
from bot.wordings.guides import GuideSnapshot
from review.db import SessionFactory
from review.keyword_answers import default_keyword_answers
from review.store import directory
from review.wordings import guide

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


async def test_the_snapshot_follows_the_library_and_keeps_its_object(sf: SessionFactory) -> None:
    seed = default_keyword_answers()
    ticks = [0.0]
    snapshot = GuideSnapshot(sf, lambda: seed.fillers, refresh_s=5, clock=lambda: ticks[0])
    assert await snapshot.refresh() is None  # empty library: the file answers
    async with sf.begin() as s:
        office = await directory.department_by_key(s, "office")
        assert office is not None
        await guide.import_file(s, seed, office.id, NOW)
    first = await snapshot.refresh()
    assert first is not None and first.match("低保申请材料") is not None
    assert await snapshot.refresh() is first  # nothing changed: the same object
    assert snapshot.current() is first  # not stale yet: no refresh started
    guides.changed()  # what an approval in this process does
    await snapshot.settled()
    assert snapshot.answers is first  # (nothing changed in between)
