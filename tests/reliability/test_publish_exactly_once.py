"""Exactly once across processes: several workers, one database, one out-of-process sandbox."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

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
from publishing_support import seed

from review.db import SessionFactory

pytestmark = [pytest.mark.slow, pytest.mark.pg]
NAIVE = (sys.executable, str(Path(__file__).with_name("naive_publish_worker.py")))


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


async def test_a_naive_select_then_update_claim_publishes_twice(
    sf: SessionFactory, db_url: str, db_backend: str, tmp_path: Path
) -> None:
    """The test above must be able to fail: with a naive claim two workers take the same rows."""
    if db_backend != "postgresql":
        pytest.skip("SQLite serialises whole transactions (BEGIN IMMEDIATE): no race to show")
    await seed(sf, 200, accounts=ACCOUNTS)
    settings = write_settings(tmp_path)
    with sandbox_process(settings, "--publish-delay", "0.05") as url:
        procs = [start_worker(settings, url, env_for(db_url), module=NAIVE) for _ in range(2)]
        try:
            await wait_settled(sf, 200, limit=20)
        finally:
            for proc in procs:
                stop(proc)
        published = published_counts(url)
    assert max(published.values()) >= 2, "the naive claim should have published duplicates"


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
    it again, and what it cannot find goes to a human. A refusal fails at once."""
    from publish_harness import control
    from sqlalchemy import select

    from review.models import Notification, Publication

    await seed(sf, 1, accounts=("ccmz_weibo",))
    await seed(sf, 1, accounts=("ccmz_wechat",))
    settings = write_settings(tmp_path)
    with sandbox_process(settings, "--publish-delay", "0.05") as url:
        control(url, "/_control/fail", {"endpoint": "2/statuses/share.json", "n": 3, "status": 500})
        control(url, "/_control/fail", {"endpoint": "cgi-bin/freepublish/submit", "errcode": 53503})
        worker = start_worker(settings, url, env_for(db_url))
        try:
            counts = await wait_settled(sf, 2)
        finally:
            stop(worker)
        published = published_counts(url)
    assert counts == {"needs_check": 1, "failed": 1}
    async with sf() as s:
        weibo, wechat = (await s.scalars(select(Publication).order_by(Publication.id))).all()
        kinds = (await s.scalars(select(Notification.kind))).all()
    assert (weibo.status, weibo.attempts) == ("needs_check", 2)  # one share, then one lookup
    assert (wechat.status, wechat.attempts) == ("failed", 1) and "53503" in (
        wechat.last_error or ""
    )
    assert sorted(kinds) == ["publication_failed", "publication_needs_check"]
    assert not published  # neither reached followers


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
