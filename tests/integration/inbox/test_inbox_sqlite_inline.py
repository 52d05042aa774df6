"""SQLite's grouped commits on the event loop: they never wait there for the write lock, and
checkpoints are taken off the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.config.load import Settings
from review.db import SessionFactory
from review.models import Account, utcnow
from review.store.inbox_batch import open_batch_store
from review.store.inbox_raw import SqliteBatchStore


def _row(account_id: int, key: str) -> dict[str, Any]:
    now = utcnow()
    return {
        "account_id": account_id, "platform": "wechat", "dedup_key": key, "sender": "o_i",
        "msg_type": "text", "event": None, "text": "咨询低保", "remote_ref": None,
        "received_at": now, "sent_at": now, "status": "new", "processed": False, "hot": False,
        "deadline_at": now + timedelta(days=3), "deadline_note": None, "close_reason": None,
        "reply_window_closes_at": now + timedelta(hours=48),
    }  # fmt: skip


async def _store(settings: Settings, sf: SessionFactory) -> tuple[SqliteBatchStore, int]:
    async with sf() as s:
        acc = int(await s.scalar(select(Account.id).where(Account.key == "ccmz_wechat")) or 0)
    store = open_batch_store(settings.database_url, sf)
    assert isinstance(store, SqliteBatchStore)
    return store, acc


async def test_a_held_write_lock_never_blocks_the_loop(
    settings: Settings, sf: SessionFactory
) -> None:
    store, acc = await _store(settings, sf)
    path = store._path
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:  # another writer (a tick, another worker) inside a transaction
        con = sqlite3.connect(path, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        locked.set()
        release.wait(5)
        con.execute("COMMIT")
        con.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert locked.wait(5)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    beat = asyncio.ensure_future(ticker())
    started = time.monotonic()
    commit = asyncio.ensure_future(store.commit([("ccmz_wechat", "n1", "d1", _row(acc, "k1"))]))
    await asyncio.sleep(0.3)
    assert not commit.done()  # waiting for the lock …
    assert ticks >= 20  # … while the loop kept running (300 ms at 5 ms a beat)
    release.set()
    digests, stored = await commit
    waited = time.monotonic() - started
    beat.cancel()
    holder.join()
    assert digests == {("ccmz_wechat", "n1"): "d1"}
    assert stored[(acc, "k1")].status == "new"
    assert store.thread_commits == 1 and store.inline_commits == 0 and waited >= 0.3
    # the lock is free again: back on the loop
    await store.commit([("ccmz_wechat", "n2", "d2", _row(acc, "k2"))])
    assert store.inline_commits == 1
    await store.close()


async def test_checkpoints_run_in_the_thread_not_on_the_loop(
    settings: Settings, sf: SessionFactory
) -> None:
    store, acc = await _store(settings, sf)
    store.CHECKPOINT_EVERY = 10
    # the loop's own connection never checkpoints by itself (that copies pages and syncs)
    own = store._inline_connection().execute("PRAGMA wal_autocheckpoint").fetchone()
    assert own == (0,)
    for i in range(25):
        await store.commit([("ccmz_wechat", f"c{i}", "d", _row(acc, f"c{i}"))])
        await asyncio.sleep(0.01)
    await store.close()  # waits for a checkpoint still running
    assert store.inline_commits == 25
    assert store.checkpoints == 2  # after the 10th and the 20th commit, in the thread
    con = sqlite3.connect(store._path)
    assert con.execute("SELECT count(*) FROM citizen_messages").fetchone() == (25,)
    con.close()


class _FailsOnce(SqliteBatchStore):
    """The inserts run in the real transaction, then the first batch fails before COMMIT."""

    failed = False

    def _write(self, con: Any, items: Any) -> Any:
        result = super()._write(con, items)
        if not self.failed:
            self.failed = True
            raise OSError("disk I/O error (test)")
        return result


async def test_a_failed_batch_rolls_back_and_the_loop_connection_goes_on(
    settings: Settings, sf: SessionFactory
) -> None:
    store, acc = await _store(settings, sf)
    await store.close()
    failing = _FailsOnce(store._path)
    with pytest.raises(OSError, match="disk I/O error"):
        await failing.commit([("ccmz_wechat", "f1", "d1", _row(acc, "f1"))])
    _, stored = await failing.commit([("ccmz_wechat", "f2", "d2", _row(acc, "f2"))])
    assert failing.inline_commits == 1 and failing.thread_commits == 0
    assert not failing._inline_connection().in_transaction
    assert set(stored) == {(acc, "f2")}
    await failing.close()
    con = sqlite3.connect(store._path)
    rows = con.execute("SELECT dedup_key FROM citizen_messages").fetchall()
    nonces = con.execute("SELECT nonce FROM seen_nonces").fetchall()
    con.close()
    assert rows == [("f2",)] and nonces == [("f2",)]  # nothing of the failed batch
