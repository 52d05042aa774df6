"""Outcomes recorded in batches: still guarded row by row, still audited and notified once."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from publishing_support import FakeChannel, Rejected, seed
from sqlalchemy import select, text, update

from review.db import SessionFactory, writers_side_by_side
from review.models import Account, AuditEvent, Notification, Publication, utcnow
from review.publishing import rules
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher
from review.publishing.recording import Recorder, _Pending
from review.publishing.targets import Target
from review.states import PublicationStatus as P
from review.store import audit
from review.store import publications as store

FAST = PublishingConfig(
    backoff_base_seconds=0.01, backoff_cap_seconds=0.05, max_attempts=4, lease_seconds=10
)
WORKER = "w-batch"
GUARD = 30  # seconds: a hang fails the test instead of blocking the suite


async def claimed(sf: SessionFactory, n: int) -> tuple[list[Publication], dict[int, Target]]:
    await seed(sf, n)
    async with sf.begin() as s:
        rows = await store.claim_due(s, now=utcnow(), limit=n, worker=WORKER, lease_seconds=60)
        context = await store.load_context(s, [p.id for p in rows])
    targets = {
        pid: Target(acc.key, acc.id, acc.owner_department_id, rev)
        for pid, (rev, acc) in context.items()
    }
    return rows, targets


def published(pub: Publication) -> rules.Outcome:
    return rules.Outcome(P.PUBLISHED, remote_id=f"r{pub.id}", url=f"https://x.invalid/{pub.id}")


async def statuses(sf: SessionFactory) -> list[tuple[str, str | None]]:
    async with sf() as s:
        rows = await s.execute(
            select(Publication.status, Publication.claimed_by).order_by(Publication.id)
        )
        return [(st, by) for st, by in rows.all()]


async def audited(sf: SessionFactory) -> list[str]:
    async with sf() as s:
        assert (await audit.verify(s))[1] is None
        return list((await s.scalars(select(AuditEvent.subject_id).order_by(AuditEvent.seq))).all())


@pytest.mark.pg
async def test_outcomes_completing_together_share_one_transaction(sf: SessionFactory) -> None:
    rows, targets = await claimed(sf, 12)
    recorder = Recorder(sf, WORKER, utcnow)
    now = utcnow()
    results = await asyncio.gather(
        *(recorder.record(p, targets[p.id], published(p), now) for p in rows)
    )
    assert results == [True] * 12 and recorder.batches == 1
    assert await statuses(sf) == [("published", WORKER)] * 12
    assert sorted(await audited(sf), key=int) == [str(p.id) for p in rows]


@pytest.mark.pg
async def test_a_row_taken_over_is_skipped_and_the_rest_recorded(sf: SessionFactory) -> None:
    rows, targets = await claimed(sf, 3)
    async with sf.begin() as s:  # a reconciler took over the middle one (its lease ran out)
        await s.execute(
            update(Publication).where(Publication.id == rows[1].id).values(claimed_by="other")
        )
    recorder = Recorder(sf, WORKER, utcnow)
    results = await asyncio.gather(
        *(recorder.record(p, targets[p.id], published(p), utcnow()) for p in rows)
    )
    assert results == [True, False, True] and recorder.batches == 1
    assert await statuses(sf) == [
        ("published", WORKER),
        ("publishing", "other"),
        ("published", WORKER),
    ]
    assert await audited(sf) == [str(rows[0].id), str(rows[2].id)]


@pytest.mark.pg
async def test_the_same_publication_twice_in_a_batch_counts_once(sf: SessionFactory) -> None:
    rows, targets = await claimed(sf, 1)
    [pub] = rows
    failed = rules.Outcome(P.FAILED, error="x", notify="publication_failed")
    recorder = Recorder(sf, WORKER, utcnow)
    results = await asyncio.gather(
        recorder.record(pub, targets[pub.id], published(pub), utcnow()),
        recorder.record(pub, targets[pub.id], failed, None),
    )
    assert list(results) == [True, False]
    assert await statuses(sf) == [("published", WORKER)]
    assert await audited(sf) == [str(pub.id)]


@pytest.mark.pg
async def test_expected_status_is_still_checked(sf: SessionFactory) -> None:
    rows, targets = await claimed(sf, 2)
    recorder = Recorder(sf, WORKER, utcnow)
    settle = rules.Outcome(P.PUBLISHED, remote_id="r")
    # a pending poll's answer cannot land on a row that is still ``publishing``
    assert not await recorder.record(rows[0], targets[rows[0].id], settle, None, expected=P.PENDING)
    assert await statuses(sf) == [("publishing", WORKER)] * 2


class FlakyBatches(Recorder):
    """A recorder whose multi-row transactions fail (a poisoned batch)."""

    async def _commit(self, batch: list[_Pending]) -> list[bool]:
        if len(batch) > 1:
            raise RuntimeError("batch failed")
        return await super()._commit(batch)


@pytest.mark.pg
async def test_a_failed_batch_is_retried_one_by_one(sf: SessionFactory) -> None:
    rows, targets = await claimed(sf, 4)
    recorder = FlakyBatches(sf, WORKER, utcnow)
    results = await asyncio.gather(
        *(recorder.record(p, targets[p.id], published(p), utcnow()) for p in rows)
    )
    assert results == [True] * 4 and recorder.batches == 4
    assert [s for s, _ in await statuses(sf)] == ["published"] * 4
    assert len(await audited(sf)) == 4


@pytest.mark.pg
async def test_drain_publishes_once_notifies_failures_and_audits_all(sf: SessionFactory) -> None:
    await seed(sf, 30)
    ch = FakeChannel("ccmz_wechat", failures=[Rejected("内容违规", code=1)] * 3)
    pub = Publisher(sf, {"ccmz_wechat": ch}, FAST)
    assert await pub.publish_due() == 30
    assert sum(ch.published.values()) == 27 and set(ch.published.values()) == {1}
    assert pub.recorder.batches < 30
    async with sf() as s:
        owner = await s.scalar(
            select(Account.owner_department_id).where(Account.key == "ccmz_wechat")
        )
        notes = (await s.scalars(select(Notification))).all()
    assert len(notes) == 3
    assert {(n.kind, n.department_id) for n in notes} == {("publication_failed", owner)}
    assert len(await audited(sf)) == 30


@pytest.mark.pg
async def test_claims_are_pipelined_in_small_batches(sf: SessionFactory) -> None:
    await seed(sf, 23)
    ch = FakeChannel("ccmz_wechat", delay=0.01)
    cfg = replace(FAST, batch_size=4, concurrency_per_account=3)
    pub = Publisher(sf, {"ccmz_wechat": ch}, cfg)
    assert await pub.publish_due() == 23
    assert await pub.publish_due() == 0
    assert sum(ch.published.values()) == 23 and set(ch.published.values()) == {1}
    assert [s for s, _ in await statuses(sf)] == ["published"] * 23


async def test_marks_and_outcomes_arriving_together_share_one_transaction(
    sf: SessionFactory,
) -> None:
    """SQLite (one writer at a time): without a hold (``OUTCOME_HOLD``), the marks of calls
    about to start ride with the outcomes of calls just answered, in one transaction, and each
    gets its own answer. (On PostgreSQL the marks have a writer of their own: below.)"""
    rows, targets = await claimed(sf, 6)
    done, starting = rows[:3], rows[3:]
    # only a mark can release the batch
    recorder = Recorder(sf, WORKER, utcnow, window=3600, hold=0)
    now = utcnow()
    results = await asyncio.wait_for(
        asyncio.gather(
            *(recorder.record(p, targets[p.id], published(p), now) for p in done),
            *(recorder.mark_sending(p.id) for p in starting),
        ),
        30,
    )
    assert results == [True] * 6
    assert (recorder.batches, recorder.mark_batches) == (1, 1)
    async with sf() as s:
        marked = {
            pid: at is not None
            for pid, at in (await s.execute(select(Publication.id, Publication.sending_at))).all()
        }
    assert [marked[p.id] for p in starting] == [True] * 3
    assert await statuses(sf) == [("published", WORKER)] * 3 + [("publishing", WORKER)] * 3


async def test_marks_go_before_outcomes_queued_with_them(sf: SessionFactory) -> None:
    """SQLite (one writer): with a hold (the service's is ``OUTCOME_HOLD``; an hour here, so no
    clock can end it), marks queued beside outcomes commit first, in a transaction of their own
    (a call waits on each); the outcomes follow in the next one. On PostgreSQL the two writers
    commit side by side, in no set order: there a mark never waits behind an outcome at all
    (``test_a_mark_commits_while_an_outcome_waits_on_a_lock``)."""
    rows, targets = await claimed(sf, 6)
    done, starting = rows[:3], rows[3:]
    recorder = Recorder(sf, WORKER, utcnow, window=0.001, hold=3600)
    order: list[str] = []
    now = utcnow()

    async def record(p: Publication) -> bool:
        ok = await recorder.record(p, targets[p.id], published(p), now)
        order.append("outcome")
        return ok

    async def mark(p: Publication) -> bool:
        ok = await recorder.mark_sending(p.id)
        order.append("mark")
        return ok

    results = await asyncio.wait_for(
        asyncio.gather(*(record(p) for p in done), *(mark(p) for p in starting)), 30
    )
    assert results == [True] * 6
    assert order == ["mark"] * 3 + ["outcome"] * 3
    assert (recorder.batches, recorder.mark_batches) == (2, 1)
    assert await statuses(sf) == [("published", WORKER)] * 3 + [("publishing", WORKER)] * 3


async def _waiting_on_a_lock(sf: SessionFactory) -> None:
    """Until some other connection to this database waits on a row lock."""
    sql = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'"
    )
    async with asyncio.timeout(GUARD):
        while True:
            async with sf() as s:
                if await s.scalar(sql):
                    return
            await asyncio.sleep(0.01)


@pytest.mark.pg_only
async def test_a_mark_commits_while_an_outcome_waits_on_a_lock(sf: SessionFactory) -> None:
    """On PostgreSQL a sending mark never waits behind an outcome: the marks have a writer of
    their own (one autocommit statement a batch). Shown by holding a lock the outcome's
    transaction needs: the marks commit meanwhile; the outcome follows once the lock goes. (SQLite
    serialises every writer: there the marks share the one.)"""
    assert writers_side_by_side(sf)
    rows, targets = await claimed(sf, 4)
    answered, starting = rows[0], rows[1:]
    recorder = Recorder(sf, WORKER, utcnow, window=0.0, hold=0.0)
    async with sf.begin() as blocker:  # another transaction holds the answered row
        await blocker.execute(
            select(Publication.id).where(Publication.id == answered.id).with_for_update()
        )
        outcome = asyncio.ensure_future(
            recorder.record(answered, targets[answered.id], published(answered), utcnow())
        )
        await _waiting_on_a_lock(sf)  # the outcome's transaction is stuck behind the blocker
        async with asyncio.timeout(GUARD):
            marks = await asyncio.gather(*(recorder.mark_sending(p.id) for p in starting))
        assert marks == [True] * 3
        assert not outcome.done()
        async with sf() as s:
            sent = await s.scalars(
                select(Publication.id).where(Publication.sending_at.is_not(None))
            )
            assert sorted(sent.all()) == sorted(p.id for p in starting)
    async with asyncio.timeout(GUARD):
        assert await outcome is True
    assert await statuses(sf) == [("published", WORKER)] + [("publishing", WORKER)] * 3
    assert (recorder.batches, recorder.mark_batches) == (2, 1)


@pytest.mark.pg_only
async def test_a_row_marked_twice_is_sent_once(sf: SessionFactory) -> None:
    """The marks writer keeps the rule of the shared one: a row queued twice in one batch (claimed
    again by this worker) is sent by its first job only, and a marked row is never marked again."""
    rows, _ = await claimed(sf, 2)
    recorder = Recorder(sf, WORKER, utcnow)
    first, second = rows
    async with asyncio.timeout(GUARD):
        together = await asyncio.gather(
            recorder.mark_sending(first.id),
            recorder.mark_sending(first.id),
            recorder.mark_sending(second.id),
        )
        again = await recorder.mark_sending(second.id)
    assert together == [True, False, True]
    assert again is False
