"""The grouped-commit writer on its dedicated connection: duplicates and replays inside one batch
and across batches, and a failed commit answers 503 with nothing stored and nothing said 200."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from inbox_support import count_messages, follower
from sqlalchemy import select

from bot.app import create_app
from bot.config.load import Settings
from bot.inbox.inbound import INBOUND
from bot.inbox.writer import InboxWriter, ReplayRefused, WriterUnavailable
from review.db import SessionFactory
from review.models import Account, SeenNonce, utcnow
from review.store.inbox_batch import open_batch_store
from review.store.inbox_pg import PgBatchStore
from review.store.inbox_raw import SqliteBatchStore
from review.store.inbox_rows import BatchItem


async def _account_id(sf: SessionFactory) -> int:
    async with sf() as s:
        return int(await s.scalar(select(Account.id).where(Account.key == "ccmz_wechat")) or 0)


def _row(account_id: int, key: str, text: str = "咨询养老服务") -> dict[str, Any]:
    now = utcnow()
    return {
        "account_id": account_id, "platform": "wechat", "dedup_key": key, "sender": "o_w",
        "msg_type": "text", "event": None, "text": text, "remote_ref": None,
        "received_at": now, "sent_at": now, "status": "new", "processed": False, "hot": False,
        "deadline_at": now + timedelta(days=3), "deadline_note": None, "close_reason": None,
        "reply_window_closes_at": now + timedelta(hours=48),
    }  # fmt: skip


@pytest.fixture
async def writer(settings: Settings, sf: SessionFactory) -> AsyncIterator[InboxWriter]:
    w = InboxWriter(open_batch_store(settings.database_url, sf))
    w.start()
    yield w
    await w.close()


@pytest.mark.pg
async def test_store_is_the_raw_one(settings: Settings, sf: SessionFactory) -> None:
    store = open_batch_store(settings.database_url, sf)
    assert isinstance(store, SqliteBatchStore | PgBatchStore)
    await store.close()


@pytest.mark.pg
async def test_duplicates_and_replay_inside_one_batch(
    writer: InboxWriter, sf: SessionFactory
) -> None:
    acc = await _account_id(sf)
    calls = [
        writer.submit("ccmz_wechat", "n1", "d1", _row(acc, "m1")),
        writer.submit("ccmz_wechat", "n1", "d1", _row(acc, "m1")),  # the very same request
        writer.submit("ccmz_wechat", "n2", "d2", _row(acc, "m1")),  # retry, new nonce
        writer.submit("ccmz_wechat", "n1", "dX", _row(acc, "m9", "伪造")),  # replay: refused
        writer.submit("ccmz_wechat", "n3", "d3", _row(acc, "m2")),
        writer.submit("ccmz_wechat", "n4", "d4", None),  # a staff command: nonce only
    ]
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert writer.batches == 1  # all six arrived before the writer ran: one transaction
    first, same, retry, replay, other, staff = results
    assert isinstance(replay, ReplayRefused)
    assert first == same == retry and getattr(first, "status", None) == "new"
    assert getattr(other, "id", None) not in (None, getattr(first, "id", None))
    assert staff is None
    assert await count_messages(sf) == 2
    async with sf() as s:
        digests = dict((await s.execute(select(SeenNonce.nonce, SeenNonce.body_digest))).all())
    assert digests == {"n1": "d1", "n2": "d2", "n3": "d3", "n4": "d4"}


@pytest.mark.pg
async def test_duplicates_and_replay_across_batches(
    writer: InboxWriter, sf: SessionFactory
) -> None:
    acc = await _account_id(sf)
    first = await writer.submit("ccmz_wechat", "a1", "d1", _row(acc, "k1"))
    again = await writer.submit("ccmz_wechat", "a1", "d1", _row(acc, "k1"))
    other_nonce = await writer.submit("ccmz_wechat", "a2", "d2", _row(acc, "k1", "改过的"))
    with pytest.raises(ReplayRefused):
        await writer.submit("ccmz_wechat", "a1", "d-other", _row(acc, "k2"))
    assert writer.batches == 4  # one transaction each
    assert first == again == other_nonce
    assert first is not None and first.text == "咨询养老服务"  # the stored row wins
    assert await count_messages(sf) == 1


class _FailingSqlite(SqliteBatchStore):
    """Runs the real inserts in the real transaction, then fails before COMMIT."""

    def _write(self, con: Any, items: Sequence[BatchItem]) -> Any:
        super()._write(con, items)
        raise OSError("disk I/O error (test)")


class _FailingPg(PgBatchStore):
    async def _write_one(self, con: Any, items: Sequence[BatchItem]) -> Any:
        async with con.transaction():
            await super()._write_one(con, items)  # inserted, then rolled back below
            raise OSError("connection lost (test)")


class _TwoStatementPg(PgBatchStore):
    """Forces the fallback taken when a concurrent replica wins a race."""

    async def _write_one(self, con: Any, items: Sequence[BatchItem]) -> Any:
        return await self._write(con, items)


@pytest.mark.pg
async def test_pg_fallback_path_dedups_and_refuses_replays(
    settings: Settings, sf: SessionFactory, db_backend: str
) -> None:
    if db_backend != "postgresql":
        pytest.skip("PostgreSQL only")
    from sqlalchemy.engine import make_url

    from review.db import normalise_url

    acc = await _account_id(sf)
    w = InboxWriter(_TwoStatementPg(make_url(normalise_url(settings.database_url))))
    w.start()
    try:
        first, same, replay = await asyncio.gather(
            w.submit("ccmz_wechat", "p1", "d1", _row(acc, "q1")),
            w.submit("ccmz_wechat", "p2", "d2", _row(acc, "q1")),
            w.submit("ccmz_wechat", "p1", "dX", _row(acc, "q2")),
            return_exceptions=True,
        )
        assert first == same and isinstance(replay, ReplayRefused)
        assert await w.submit("ccmz_wechat", "p3", "d3", _row(acc, "q1")) == first
    finally:
        await w.close()
    assert await count_messages(sf) == 1


@pytest.fixture
async def client(
    settings: Settings, sf: SessionFactory
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(create_app(settings, run_jobs=False))) as c:
        yield c


@pytest.mark.pg
async def test_failed_commit_answers_503_and_stores_nothing(
    client: TestClient[web.Request, web.Application], settings: Settings, sf: SessionFactory
) -> None:
    writer = client.app[INBOUND].writer
    assert writer is not None
    real = writer.store
    failing = (
        _FailingSqlite(str(real._path))
        if isinstance(real, SqliteBatchStore)
        else _FailingPg(real._url)  # type: ignore[attr-defined]
    )
    writer.store = failing
    f = follower(client, settings)
    requests = [f.build_request(f.text_xml(f"留言{i}", msg_id=9100 + i)) for i in range(6)]
    replies = await asyncio.gather(*(f.post(q, b) for q, b in requests))
    assert [r.status for r in replies] == [503] * 6
    assert all("受理编号" not in r.body.decode() for r in replies)
    assert await count_messages(sf) == 0
    await failing.close()
    writer.store = real  # the database is back: WeChat's retries go through, once each
    replies = await asyncio.gather(*(f.post(q, b) for q, b in requests + requests))
    assert [r.status for r in replies] == [200] * 12
    assert await count_messages(sf) == 6


async def test_closing_writer_refuses_new_work(writer: InboxWriter, sf: SessionFactory) -> None:
    acc = await _account_id(sf)
    pending = asyncio.ensure_future(writer.submit("ccmz_wechat", "c1", "d", _row(acc, "c1")))
    await asyncio.sleep(0)
    await writer.close()
    assert (await pending) is not None  # queued before close: committed
    with pytest.raises(WriterUnavailable):
        await writer.submit("ccmz_wechat", "c2", "d", _row(acc, "c2"))


class _ForgetfulStore:
    """A store whose read-back misses one nonce (the row may or may not be in)."""

    def __init__(self) -> None:
        self.calls = 0

    async def commit(self, items: Sequence[BatchItem]) -> tuple[dict[Any, str], dict[Any, Any]]:
        self.calls += 1
        return {}, {}

    async def close(self) -> None:
        return None


async def test_nonce_not_read_back_is_a_503_not_a_replay() -> None:
    """Unknown is not a replay: a 403 would make WeChat drop the message, a 503 makes it retry."""
    w = InboxWriter(_ForgetfulStore())  # type: ignore[arg-type]
    w.start()
    try:
        with pytest.raises(WriterUnavailable):
            await w.submit("ccmz_wechat", "n1", "d1", None)
    finally:
        await w.close()
