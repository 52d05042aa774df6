"""Exactly once across processes: several workers, one database, one out-of-process sandbox.

The naive-claim tests force two in-process publishers to read the same due rows before either
writes (no timing): the guarded claim gives each row to one of them; a naive claim gives both
of them every row, and then only the sending mark's guard (``claimed_by``, unmarked) keeps each
post single: the loser's marks are refused, so it calls nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from publish_harness import (
    ACCOUNTS,
    env_for,
    published_counts,
    sandbox_process,
    start_worker,
    status_counts,
    stop,
    wait_settled,
    write_settings,
)
from publishing_support import FakeChannel, seed
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.db import SessionFactory
from review.models import Publication
from review.publishing.claiming import Claim
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher
from review.store import publications as store

pytestmark = [pytest.mark.slow, pytest.mark.pg]


@pytest.mark.parametrize("workers", [2, 4])
async def test_each_post_reaches_the_platform_exactly_once(
    sf: SessionFactory, db_url: str, tmp_path: Path, workers: int
) -> None:
    seeded = await seed(sf, 500, accounts=ACCOUNTS)
    settings = write_settings(tmp_path)
    with sandbox_process(settings, "--publish-delay", "0.05") as url:
        procs = [start_worker(settings, url, env_for(db_url)) for _ in range(workers)]
        try:
            counts = await wait_settled(sf, 500)
        finally:
            for proc in procs:
                stop(proc)
        published = published_counts(url)
    assert counts == {"published": 500}
    assert len(published) == len(seeded.publication_ids) == 500
    assert set(published.values()) == {1}


class BothReadFirst:
    """Forces the interleaving a naive claim loses: every claimer has read the due rows before
    any of them writes. Only each claimer's first read waits; later reads find nothing due."""

    def __init__(self, parties: int) -> None:
        self.parties = parties
        self.reads: list[list[int]] = []
        self._all_read = asyncio.Event()

    async def read(self, session: AsyncSession, *, now: datetime, limit: int) -> list[int]:
        ids = list(
            (
                await session.scalars(
                    select(Publication.id)
                    .where(Publication.status == "scheduled", Publication.due_at <= now)
                    .order_by(Publication.due_at, Publication.id)
                    .limit(limit)
                )
            ).all()
        )
        if not self._all_read.is_set():
            self.reads.append(ids)
            if len(self.reads) == self.parties:
                self._all_read.set()
            await self._all_read.wait()
        return ids


def naive_claim(gate: BothReadFirst) -> Claim:
    """Select, then update by id with no status guard: what ``store.claim_due`` must not be."""

    async def claim(
        session: AsyncSession,
        *,
        now: datetime,
        limit: int,
        worker: str,
        lease_seconds: float,
        due_by: datetime | None = None,
    ) -> list[Publication]:
        ids = await gate.read(session, now=now, limit=limit)
        if not ids:
            return []
        stmt: Any = (
            update(Publication)
            .where(Publication.id.in_(ids))
            .values(
                status="publishing",
                claimed_by=worker,
                lease_until=now + timedelta(seconds=lease_seconds),
                attempts=Publication.attempts + 1,
            )
            .returning(Publication)
            .execution_options(synchronize_session=False)
        )
        return list((await session.scalars(stmt)).all())

    return claim


def real_claim(gate: BothReadFirst) -> Claim:
    """The service's claim, entered only once every claimer has read the same due rows."""

    async def claim(session: AsyncSession, **kw: Any) -> list[Publication]:
        await gate.read(session, now=kw["now"], limit=kw["limit"])
        return await store.claim_due(session, **kw)

    return claim


async def race_two_claimers(
    sf: SessionFactory, db_backend: str, make_claim: Callable[[BothReadFirst], Claim]
) -> tuple[list[int], BothReadFirst, FakeChannel]:
    """Two publishers on one database, both claiming the same due rows at once."""
    if db_backend != "postgresql":
        # BEGIN IMMEDIATE: the second claimer cannot even read until the first commits
        pytest.skip("SQLite serialises whole transactions (BEGIN IMMEDIATE): no race to show")
    seeded = await seed(sf, 6, accounts=("ccmz_weibo",))
    channel = FakeChannel("ccmz_weibo")
    config = PublishingConfig(batch_size=6, concurrency_per_account=6, lease_seconds=60)
    gate = BothReadFirst(parties=2)
    publishers = [
        Publisher(
            sf,
            {"ccmz_weibo": channel},  # type: ignore[dict-item]
            config,
            worker=name,
            claim=make_claim(gate),
        )
        for name in ("a", "b")
    ]
    # a guard against a hang if the interleaving could not be reached, not a wait for a race
    await asyncio.wait_for(asyncio.gather(*(p.publish_due() for p in publishers)), 60)
    return seeded.publication_ids, gate, channel


async def test_a_naive_select_then_update_claim_is_caught_by_the_sending_mark(
    sf: SessionFactory, db_backend: str
) -> None:
    """With a naive claim two workers that read the same due rows before either writes both
    take them (the later write wins ``claimed_by``); each post still goes out once, because a
    call starts only after a mark guarded by ``claimed_by`` (review/store/publications.py
    ``mark_sending``): the loser's marks are refused. Without that guard every post went out
    twice."""
    ids, gate, channel = await race_two_claimers(sf, db_backend, naive_claim)
    assert gate.reads == [ids, ids]  # the interleaving happened: both claimed every row
    assert len(channel.published) == len(ids)
    assert set(channel.published.values()) == {1}
    async with sf() as s:
        holders = set((await s.scalars(select(Publication.claimed_by))).all())
    assert len(holders) == 1 and holders <= {"a", "b"}  # the later claimer sent everything


async def test_the_real_claim_publishes_once_when_both_workers_read_first(
    sf: SessionFactory, db_backend: str
) -> None:
    ids, gate, channel = await race_two_claimers(sf, db_backend, real_claim)
    assert gate.reads == [ids, ids]
    assert len(channel.published) == len(ids)
    assert set(channel.published.values()) == {1}
    assert await status_counts(sf) == {"published": len(ids)}


async def test_kill_9_after_the_call_then_restart_is_still_exactly_once(
    sf: SessionFactory, db_url: str, tmp_path: Path
) -> None:
    await seed(sf, 6, accounts=("ccmz_wechat", "ccmz_weibo"))
    # one post at a time, so the row the crash leaves behind is exactly the one that was sent
    settings = write_settings(tmp_path, batch_size=1, concurrency_per_account=1)
    with sandbox_process(settings, "--publish-delay", "0.05") as url:
        doomed = start_worker(settings, url, env_for(db_url, NEWMEDIA_FAULT_KILL_AFTER_CALL="3"))
        assert doomed.wait(timeout=20) == -9
        assert (await status_counts(sf)).get("publishing") == 1
        survivor = start_worker(settings, url, env_for(db_url))
        try:
            counts = await wait_settled(sf, 6, limit=30)  # lease 10 s, then reconcile
        finally:
            stop(survivor)
        published = published_counts(url)
    assert counts == {"published": 6}
    assert len(published) == 6 and set(published.values()) == {1}


async def test_platform_5xx_is_checked_not_resent_and_permanent_failure(
    sf: SessionFactory, db_url: str, tmp_path: Path
) -> None:
    """A 5xx may have been carried out: the next attempt looks for the post instead of sending
    it again, and sends it again only when a complete search of the timeline back to the send
    time did not find it (here the platform refused before doing the work). A refusal fails at
    once."""
    from publish_harness import control
    from sqlalchemy import select

    from review.models import Notification, Publication

    await seed(sf, 1, accounts=("ccmz_weibo",))
    await seed(sf, 1, accounts=("ccmz_wechat",))
    settings = write_settings(tmp_path)
    with sandbox_process(settings, "--publish-delay", "0.05") as url:
        control(url, "/_control/fail", {"endpoint": "2/statuses/share.json", "n": 1, "status": 500})
        control(url, "/_control/fail", {"endpoint": "cgi-bin/freepublish/submit", "errcode": 53503})
        worker = start_worker(settings, url, env_for(db_url))
        try:
            counts = await wait_settled(sf, 2)
        finally:
            stop(worker)
        published = published_counts(url)
    assert counts == {"published": 1, "failed": 1}
    async with sf() as s:
        weibo, wechat = (await s.scalars(select(Publication).order_by(Publication.id))).all()
        kinds = (await s.scalars(select(Notification.kind))).all()
    # the share that failed, the search instead of a resend, then the share that went out
    assert (weibo.status, weibo.attempts) == ("published", 3)
    assert (wechat.status, wechat.attempts) == ("failed", 1) and "53503" in (
        wechat.last_error or ""
    )
    assert sorted(kinds) == ["publication_failed"]
    assert list(published.values()) == [1]  # the Weibo post, once


async def test_sigterm_during_a_publish_exits_quickly_without_duplicates(
    sf: SessionFactory, db_url: str, tmp_path: Path
) -> None:
    await seed(sf, 20, accounts=ACCOUNTS)
    settings = write_settings(tmp_path)
    with sandbox_process(settings, "--publish-delay", "0.05") as url:
        from publish_harness import control

        for endpoint in ("cgi-bin/freepublish/submit", "2/statuses/share.json"):
            control(url, "/_control/fail", {"endpoint": endpoint, "n": 4, "delay": 2.0})
        first = start_worker(settings, url, env_for(db_url))
        deadline = time.monotonic() + 10
        while (await status_counts(sf)).get("publishing", 0) == 0:
            assert time.monotonic() < deadline
        took = stop(first)
        assert first.returncode == 0 and took < 10
        second = start_worker(settings, url, env_for(db_url))
        try:
            counts = await wait_settled(sf, 20)
        finally:
            stop(second)
        published = published_counts(url)
    assert counts == {"published": 20}
    assert len(published) == 20 and set(published.values()) == {1}


async def test_service_down_across_the_due_time_publishes_after_restart(
    sf: SessionFactory, db_url: str, tmp_path: Path
) -> None:
    """No misfire is dropped: the database is the schedule, so a worker that starts after the
    due time finds the posts, publishes each once and records how late they went out."""
    from datetime import timedelta

    from sqlalchemy import select

    from review.models import Publication, utcnow

    await seed(
        sf, 4, accounts=("ccmz_wechat", "ccmz_weibo"), due_at=utcnow() + timedelta(seconds=2)
    )
    settings = write_settings(tmp_path)
    with sandbox_process(settings, "--publish-delay", "0.05") as url:
        first = start_worker(settings, url, env_for(db_url))
        stop(first)  # the service goes down before anything is due
        assert (await status_counts(sf)) == {"scheduled": 4}
        await asyncio.sleep(3)  # … and stays down across the due time
        second = start_worker(settings, url, env_for(db_url))
        try:
            counts = await wait_settled(sf, 4, limit=30)
        finally:
            stop(second)
        published = published_counts(url)
    assert counts == {"published": 4}
    assert len(published) == 4 and set(published.values()) == {1}
    async with sf() as s:
        lateness = (await s.scalars(select(Publication.late_seconds))).all()
    assert all(late is not None and late >= 1.0 for late in lateness), lateness
