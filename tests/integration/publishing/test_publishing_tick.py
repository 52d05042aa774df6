"""The publish tick against a fake channel: claim → call → record, retries, reconciliation."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from publishing_support import FakeChannel, seed
from sqlalchemy import select, update

from bot.publishing.wiring import build_publisher
from channels.base import NotSent, ReceiptState, Rejected, Transient
from review.db import SessionFactory
from review.models import Notification, Publication, Revision, utcnow
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher
from review.publishing.reconciliation import poll_pending, reconcile_expired
from review.store import publications as store

FAST = PublishingConfig(
    backoff_base_seconds=0.01, backoff_cap_seconds=0.05, max_attempts=4, lease_seconds=10
)


def publisher(sf: SessionFactory, channel: FakeChannel, **kw: object) -> Publisher:
    return Publisher(sf, {channel.account_key: channel}, FAST, **kw)  # type: ignore[arg-type]


async def rows(sf: SessionFactory) -> list[Publication]:
    async with sf() as s:
        return list((await s.scalars(select(Publication).order_by(Publication.id))).all())


async def kinds(sf: SessionFactory) -> list[str]:
    async with sf() as s:
        return list((await s.scalars(select(Notification.kind))).all())


@pytest.mark.pg
async def test_due_posts_publish_once_and_future_ones_wait(sf: SessionFactory) -> None:
    await seed(sf, 5)
    await seed(sf, 2, due_at=utcnow() + timedelta(hours=1))
    ch = FakeChannel("ccmz_wechat")
    pub = publisher(sf, ch)
    assert await pub.publish_due() == 5
    assert await pub.publish_due() == 0
    assert sum(ch.published.values()) == 5 and max(ch.published.values()) == 1
    states = [(p.status, p.attempts) for p in await rows(sf)]
    assert states == [("published", 1)] * 5 + [("scheduled", 0)] * 2
    first = (await rows(sf))[0]
    assert first.remote_id == f"r{first.id}" and first.url and first.late_seconds is not None


@pytest.mark.pg
async def test_two_publishers_racing_publish_each_post_once(sf: SessionFactory) -> None:
    await seed(sf, 60)
    ch = FakeChannel("ccmz_wechat", delay=0.001)
    small = replace(FAST, batch_size=7)
    a = Publisher(sf, {"ccmz_wechat": ch}, small)  # type: ignore[dict-item]
    b = Publisher(sf, {"ccmz_wechat": ch}, small)  # type: ignore[dict-item]
    await asyncio.gather(a.publish_due(), b.publish_due(), a.publish_due())
    assert sum(ch.published.values()) == 60 and set(ch.published.values()) == {1}


async def test_transient_failures_retry_with_backoff_then_publish(sf: SessionFactory) -> None:
    """Only a request that never left (could not connect) is resent without a check."""
    await seed(sf, 1)
    ch = FakeChannel("ccmz_wechat", failures=[NotSent("refused")] * 2)
    pub = publisher(sf, ch)
    for _ in range(3):
        await pub.publish_due()
        await asyncio.sleep(0.06)
    [row] = await rows(sf)
    assert (row.status, row.attempts, ch.published[row.idempotency_key]) == ("published", 3, 1)
    assert row.scheduled_for is not None  # the first due time survives the retries


async def test_transient_until_cap_fails_and_notifies(sf: SessionFactory) -> None:
    await seed(sf, 1)
    ch = FakeChannel("ccmz_wechat", failures=[NotSent("refused")] * 10)
    pub = publisher(sf, ch)
    for _ in range(6):
        await pub.publish_due()
        await asyncio.sleep(0.06)
    [row] = await rows(sf)
    assert (row.status, row.attempts, ch.calls) == ("failed", 4, 4)
    assert "重试 4 次" in (row.last_error or "")
    assert await kinds(sf) == ["publication_failed"]


async def test_rejected_fails_at_once(sf: SessionFactory) -> None:
    await seed(sf, 1)
    ch = FakeChannel("ccmz_wechat", failures=[Rejected("草稿未通过发布检查", code=53503)])
    await publisher(sf, ch).publish_due()
    [row] = await rows(sf)
    assert (row.status, row.attempts) == ("failed", 1)
    assert await kinds(sf) == ["publication_failed"]


async def test_ambiguous_timeout_is_checked_before_a_retry(sf: SessionFactory) -> None:
    """The platform did the work but the answer was lost: the retry finds it, never resends."""
    await seed(sf, 1)
    ch = FakeChannel("ccmz_wechat")
    pub = publisher(sf, ch)

    async def publish_then_time_out(post, *, going_public):  # type: ignore[no-untyped-def]
        await going_public()
        ch.published[post.idempotency_key] += 1
        raise Transient("timeout", code="timeout")

    ch.publish = publish_then_time_out  # type: ignore[method-assign]
    await pub.publish_due()
    await asyncio.sleep(0.03)
    await pub.publish_due()
    [row] = await rows(sf)
    assert (row.status, row.attempts, ch.checks) == ("published", 2, 1)
    assert ch.published[row.idempotency_key] == 1


async def test_pending_is_settled_by_polling(sf: SessionFactory) -> None:
    await seed(sf, 2)
    ch = FakeChannel("ccmz_wechat", pending=True)
    pub = publisher(sf, ch)
    await pub.publish_due()
    assert {r.status for r in await rows(sf)} == {"pending"}
    assert await poll_pending(pub) == 2
    assert {r.status for r in await rows(sf)} == {"published"}
    assert all(r.published_at is not None for r in await rows(sf))


async def test_platform_refusal_after_pending_fails(sf: SessionFactory) -> None:
    await seed(sf, 1)
    ch = FakeChannel("ccmz_wechat", pending=True)
    pub = publisher(sf, ch)
    await pub.publish_due()
    ch.check_answer = ReceiptState.FAILED
    await poll_pending(pub)
    [row] = await rows(sf)
    assert row.status == "failed" and await kinds(sf) == ["publication_rejected"]


@pytest.mark.pg
async def test_crash_after_call_is_reconciled_not_resent(sf: SessionFactory) -> None:
    await seed(sf, 2)
    ch = FakeChannel("ccmz_wechat")
    dead = publisher(sf, ch)

    def die(_pid: int) -> None:
        raise RuntimeError("crash")  # the process dies before recording

    dead.after_call = die
    await dead.publish_due()
    assert {r.status for r in await rows(sf)} == {"publishing"}
    # the second never reached the platform (the crash came before its call)
    del ch.published[(await rows(sf))[1].idempotency_key]
    async with sf.begin() as s:  # its lease runs out
        await s.execute(update(Publication).values(lease_until=utcnow() - timedelta(seconds=1)))
    survivor = publisher(sf, ch)
    assert await reconcile_expired(survivor) == 2
    states = sorted(r.status for r in await rows(sf))
    # the first was sent (found on the platform); the other never left: nobody can tell → human
    assert states == ["needs_check", "published"]
    assert sum(ch.published.values()) == 1
    assert await kinds(sf) == ["publication_needs_check"]


async def test_edited_after_approval_is_cancelled(sf: SessionFactory) -> None:
    seeded = await seed(sf, 1)
    async with sf.begin() as s:
        await s.execute(
            update(Revision).where(Revision.id == seeded.revision_ids[0]).values(body="偷偷改过")
        )
    ch = FakeChannel("ccmz_wechat")
    await publisher(sf, ch).publish_due()
    [row] = await rows(sf)
    assert row.status == "cancelled" and ch.calls == 0
    assert await kinds(sf) == ["publication_failed"]


async def test_unapproved_is_cancelled(sf: SessionFactory) -> None:
    await seed(sf, 1, approve=False)
    ch = FakeChannel("ccmz_wechat")
    await publisher(sf, ch).publish_due()
    assert [r.status for r in await rows(sf)] == ["cancelled"] and ch.calls == 0


async def test_late_posts_say_so(sf: SessionFactory) -> None:
    await seed(sf, 1, due_at=utcnow() - timedelta(minutes=30))
    ch = FakeChannel("ccmz_wechat")
    await publisher(sf, ch).publish_due()
    [row] = await rows(sf)
    assert row.status == "published" and (row.late_seconds or 0) > 1700
    assert await kinds(sf) == ["publication_late"]


async def test_stop_hands_back_unsent_rows(sf: SessionFactory) -> None:
    """Stop while two calls are under way (held at the platform): they finish and are recorded;
    the two claimed rows waiting for a slot are never started and go back to scheduled, the two
    never claimed stay there. The interleaving is forced, not timed."""
    await seed(sf, 6)
    ch = FakeChannel("ccmz_wechat", gate=asyncio.Event())
    # two accounts' slots are claimed (4 rows), but every row is for the one account: 2 wait
    channels = {"ccmz_wechat": ch, "ccmz_weibo": FakeChannel("ccmz_weibo")}
    pub = Publisher(sf, channels, replace(FAST, concurrency_per_account=2))  # type: ignore[arg-type]
    task = asyncio.ensure_future(pub.publish_due())
    for _ in range(2):  # both calls are at the platform (the test fails by timeout otherwise)
        await ch.arrived.get()
    # stop() marks itself stopping before its first await; the gate opens only after that
    asyncio.get_running_loop().call_soon(ch.gate.set)  # type: ignore[union-attr]
    assert await pub.stop(60) == 2
    await task
    assert ch.calls == 2
    states = sorted(r.status for r in await rows(sf))
    assert states == ["published"] * 2 + ["scheduled"] * 4
    assert all(r.attempts == 0 for r in await rows(sf) if r.status == "scheduled")
    async with sf() as s:
        assert len(await store.pending(s, limit=10)) == 0


async def test_a_named_worker_records_what_it_claimed(sf: SessionFactory, settings) -> None:  # type: ignore[no-untyped-def]
    """``python -m bot.publishing.worker --worker-id W``: claims, records and lease renewals carry
    the same name (the recorder once kept a random one: every outcome then took the late path)."""
    await seed(sf, 3)
    ch = FakeChannel("ccmz_wechat")
    pub = build_publisher(settings, sf, {"ccmz_wechat": ch}, worker="w-7")  # type: ignore[dict-item]
    assert await pub.publish_due() == 3
    await pub.stop(60)
    assert [p.status for p in await rows(sf)] == ["published"] * 3
    assert {p.claimed_by for p in await rows(sf)} <= {"w-7", None}
    assert pub.worker == pub.recorder.worker == "w-7"
