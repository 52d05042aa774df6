"""The Weibo comment poller's cursor and daily call budget, shared by every replica: the row is
created by an upsert and the budget spent by a guarded UPDATE (the four-replica start in
``tests/reliability/test_directory_sync_processes.py`` is where first polls collide)."""

from __future__ import annotations

from review.db import SessionFactory
from review.store import inbox as store

KEY = "weibo:comments:ccmz_weibo"


async def test_a_new_day_resets_the_budget_and_the_cursor_keeps_its_value(
    sf: SessionFactory,
) -> None:
    async with sf.begin() as s:
        assert await store.spend_call(s, KEY, "2026-12-01", 1)
        assert not await store.spend_call(s, KEY, "2026-12-01", 1)
        await store.save_cursor(s, KEY, "4711")
    async with sf.begin() as s:
        assert await store.spend_call(s, KEY, "2026-12-02", 1)
        row = await store.cursor(s, KEY)
        assert row is not None and (row.value, row.calls_today) == ("4711", 1)
    async with sf.begin() as s:  # a second first-time creation of the row is harmless
        await store.save_cursor(s, KEY, "4712")
        assert (await store.cursor(s, KEY)).value == "4712"  # type: ignore[union-attr]
