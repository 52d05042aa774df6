"""Two replicas' grouped commits on one PostgreSQL, forced into the race: replica A has inserted
a message but not yet committed (its commit waiting for the disk) when WeChat's retry of it
reaches replica B. B's insert waits on A's row; once A commits, B stores nothing twice and
answers from A's row (the statement's snapshot missed it: the two-statement fallback)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from inbox_support import count_messages
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.config.load import Settings
from bot.inbox.writer import InboxWriter
from review.db import SessionFactory, normalise_url
from review.models import Account, utcnow
from review.store.inbox_pg import PgBatchStore
from review.store.inbox_rows import BatchItem, Digests, Stored


class _HeldPg(PgBatchStore):
    """Runs its first batch inside a transaction and holds the commit until released."""

    def __init__(self, url: Any) -> None:
        super().__init__(url)
        self.held = asyncio.Event()
        self.release = asyncio.Event()
        self.batches = 0

    async def _write_one(self, con: Any, items: Sequence[BatchItem]) -> tuple[Digests, Stored]:
        self.batches += 1
        if self.batches > 1:
            return await super()._write_one(con, items)
        async with con.transaction():
            result = await super()._write_one(con, items)
            self.held.set()
            await self.release.wait()
        return result


class _SeenPg(PgBatchStore):
    """Remembers its server process, so the test can see it wait."""

    pid = 0

    async def _write_one(self, con: Any, items: Sequence[BatchItem]) -> tuple[Digests, Stored]:
        self.pid = con.get_server_pid()
        return await super()._write_one(con, items)


def _row(account_id: int, key: str) -> dict[str, Any]:
    now = utcnow()
    return {
        "account_id": account_id, "platform": "wechat", "dedup_key": key, "sender": "o_w",
        "msg_type": "text", "event": None, "text": "咨询养老服务", "remote_ref": None,
        "received_at": now, "sent_at": now, "status": "new", "processed": False, "hot": False,
        "deadline_at": now + timedelta(days=3), "deadline_note": None, "close_reason": None,
        "reply_window_closes_at": now + timedelta(hours=48),
    }  # fmt: skip


@pytest.mark.pg_only
async def test_retry_on_the_other_replica_while_the_original_commits(
    settings: Settings, sf: SessionFactory
) -> None:
    async with sf() as s:
        acc = int(await s.scalar(select(Account.id).where(Account.key == "ccmz_wechat")) or 0)
    url = make_url(normalise_url(settings.database_url))
    held, seen = _HeldPg(url), _SeenPg(url)
    a, b = InboxWriter(held), InboxWriter(seen)
    a.start()
    b.start()

    async def b_waits_on_a() -> bool:
        async with sf() as s:
            got = await s.scalar(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": seen.pid},
            )
        return got == "Lock"

    try:
        original = asyncio.ensure_future(a.submit("ccmz_wechat", "r1", "d1", _row(acc, "k1")))
        await asyncio.wait_for(held.held.wait(), 60)
        retry = asyncio.ensure_future(b.submit("ccmz_wechat", "r2", "d2", _row(acc, "k1")))
        other = asyncio.ensure_future(b.submit("ccmz_wechat", "r3", "d3", _row(acc, "k2")))
        for _ in range(6000):  # poll with a generous deadline: a loaded machine is slow
            if seen.pid and await b_waits_on_a():
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("replica B's insert never waited on replica A's row")
        assert not retry.done()
        held.release.set()
        first, again, second = await asyncio.gather(original, retry, other)
    finally:
        held.release.set()
        await a.close()
        await b.close()
    assert first is not None and again == first  # the retry answered from A's row
    assert second is not None and second.id != first.id
    assert await count_messages(sf) == 2
