"""The soak with faults (issue 16 item 4): two ``newmedia serve`` replicas on one PostgreSQL
behind nginx take citizens' callbacks — every message three times (WeChat's retries), from 16
concurrent senders — while their schedulers drain 500 due posts to the shared out-of-process
sandbox; one replica is killed with SIGKILL and restarted, and PostgreSQL is restarted
(``pg_ctl restart -m fast``), both mid-load.

Pass: every message answered 200 is stored exactly once; every post is on the platform exactly
once, or in ``needs_check`` after a complete search of the account (its reason says what was
searched) and on the platform at most once; nothing is left ``publishing``; the audit chain is
intact (``newmedia audit verify``).

The PostgreSQL is a throwaway cluster (``pg_cluster.py``) so the restart touches nothing else.
No timing: the faults happen when enough posts are published and messages answered, and every
wait polls a condition with an upper bound against a hang. Leases are the minimum (10 s), so a
killed replica's rows are reconciled by the other within seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from nginx_front import missing, nginx_front
from pg_cluster import BINS, MISSING, Cluster, private_cluster
from publish_harness import (
    ACCOUNTS,
    problems,
    published_counts,
    sandbox_process,
    sent_counts,
    tally,
    until,
    wait_quiet,
    write_settings,
)
from publishing_support import seed
from soak_support import CallbackLoad, Replicas, newmedia, replicas, soak_settings
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from test_serve_lifecycle import free_port

from review.db import SessionFactory, create_engine, session_factory
from review.models import CitizenMessage, Publication, utcnow
from review.publishing import searched

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not BINS, reason=MISSING),
    pytest.mark.skipif(missing() is not None, reason=str(missing())),
]

POSTS = 500
MESSAGES = 2400
#: a post becomes due for every PER_POST messages answered, in batches of BATCH: the drain
#: (faster than the callbacks alone) keeps pace with the load, so both are under way at each fault
PER_POST, BATCH = 4, 50
LEASE = 10  # the settings' minimum


@dataclass
class Soak:
    cluster: Cluster
    sandbox: str
    front: str
    replicas: Replicas
    settings: Path


@pytest.fixture
def soak(tmp_path: Path) -> Iterator[Soak]:
    """Everything up: PostgreSQL migrated once, the sandbox, two replicas, nginx before them.
    Torn down in reverse order whatever the test did (process groups killed, temp dirs gone)."""
    with ExitStack() as stack:
        cluster = stack.enter_context(private_cluster(max_connections=200))
        base = write_settings(tmp_path, lease_seconds=LEASE)
        sandbox = stack.enter_context(sandbox_process(base))
        front_port, redirect_port, ports = free_port(), free_port(), [free_port(), free_port()]
        settings = soak_settings(
            tmp_path, sandbox, f"https://127.0.0.1:{front_port}", lease_seconds=LEASE
        )
        upgrade = newmedia(settings, cluster.url, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
        group = stack.enter_context(replicas(settings, cluster.url, ports))
        for i in range(len(ports)):
            group.start(i)
        front = stack.enter_context(nginx_front(front_port, redirect_port, ports))
        yield Soak(cluster, sandbox, front, group, settings)


class Release:
    """Makes the seeded posts due (``due_at`` now), a batch for every ``PER_POST × BATCH``
    messages answered. A write that meets the database restarting is tried at the next poll."""

    def __init__(self, sf: SessionFactory, ids: list[int]) -> None:
        self.sf, self.ids, self.due = sf, ids, 0

    async def due_with(self, answered: int) -> bool | None:
        """True once every post is due (None: not yet)."""
        n = min(len(self.ids), answered // (PER_POST * BATCH) * BATCH)
        if n > self.due:
            try:
                async with self.sf.begin() as s:
                    chosen = Publication.id.in_(self.ids[self.due : n])
                    await s.execute(update(Publication).where(chosen).values(due_at=utcnow()))
                self.due = n
            except (DBAPIError, OSError):
                pass  # PostgreSQL is restarting
        return True if self.due == len(self.ids) else None

    async def held_by(self, pid: int) -> bool:
        """A post in ``publishing`` claimed by that process (``host-pid-random``)."""
        try:
            async with self.sf() as s:
                q = select(Publication.claimed_by).where(Publication.status == "publishing")
                return any(f"-{pid}-" in (c or "") for c in (await s.scalars(q)).all())
        except (DBAPIError, OSError):
            return False


async def stored_per_msg_id(sf: SessionFactory) -> dict[str, int]:
    async with sf() as s:
        q = select(CitizenMessage.dedup_key, func.count()).group_by(CitizenMessage.dedup_key)
        return {str(key): int(n) for key, n in (await s.execute(q)).all()}


async def needs_check_rows(sf: SessionFactory) -> list[tuple[int, str, str | None, dict[str, str]]]:
    async with sf() as s:
        q = select(Publication).where(Publication.status == "needs_check")
        pubs = (await s.scalars(q)).all()
    return [(p.id, p.idempotency_key, p.last_error, dict(p.receipt_extra or {})) for p in pubs]


async def test_two_replicas_behind_nginx_through_kill_9_and_a_database_restart(
    soak: Soak,
) -> None:
    engine = create_engine(soak.cluster.url, pool_size=2)
    sf = session_factory(engine)
    # due tomorrow: the test makes them due in step with the callbacks answered
    seeded = await seed(sf, POSTS, accounts=ACCOUNTS, due_at=utcnow() + timedelta(days=1))
    posts = Release(sf, seeded.publication_ids)
    load = CallbackLoad(soak.front, soak.settings, limit=MESSAGES)
    sending = asyncio.create_task(load.run())
    try:

        async def progress(
            posts_done: int, answered: int, *, held: bool = False, loaded: bool = True
        ) -> int | None:
            """Posts on the platform, once ``posts_done`` are and ``answered`` messages were
            answered (``held``: and replica 1 holds a post in ``publishing``; ``loaded``: the
            callback load must still be running)."""
            await posts.due_with(len(load.answered))
            done = len(await asyncio.to_thread(published_counts, soak.sandbox))
            assert not loaded or not sending.done(), (
                f"the load ended before the fault: {sending}, answers {dict(load.statuses)}, "
                f"refused {load.refused[:3]}"
            )
            if done < posts_done or len(load.answered) < answered:
                return None
            return done if not held or await posts.held_by(soak.replicas.pid(1)) else None

        # 1. a replica dies mid-load while it holds a post; it comes back on its port
        await until(lambda: progress(100, 0, held=True), "replica 1 holding a post", 180)
        await asyncio.to_thread(soak.replicas.kill9, 1)
        await asyncio.to_thread(soak.replicas.start, 1)
        # 2. PostgreSQL restarted under both replicas (open connections killed)
        await until(lambda: progress(250, 0), "250 posts published", 180)
        await asyncio.to_thread(soak.cluster.restart)
        # 3. callbacks answered and posts published again, then the load runs to its end
        mark, done = len(load.answered), len(published_counts(soak.sandbox))
        again = "posts published and messages answered after the restart"
        await until(lambda: progress(done + 50, mark + 200, loaded=False), again, 180)
        await asyncio.wait_for(sending, timeout=300)
        await until(lambda: posts.due_with(MESSAGES * PER_POST), "every post due", 60)
    finally:
        load.stop.set()
        if not sending.done():
            sending.cancel()

    final = await wait_quiet(sf, limit=240)
    published = await asyncio.to_thread(published_counts, soak.sandbox)
    sent = await asyncio.to_thread(sent_counts, soak.sandbox)
    stored = await stored_per_msg_id(sf)
    unsure = await needs_check_rows(sf)
    audit = await asyncio.to_thread(newmedia, soak.settings, soak.cluster.url, "audit", "verify")
    await engine.dispose()
    logs = "\n".join(soak.replicas.tail(i, 1500) for i in range(2))

    assert not load.refused, f"callbacks refused (4xx): {load.refused[:5]}"
    assert load.answered, (load.statuses, logs)
    missing = sorted(load.answered - stored.keys())
    assert not missing, f"{len(missing)} answered 200 but not stored: {missing[:10]}"
    twice = {k: n for k, n in stored.items() if n != 1}
    assert not twice, f"messages stored more than once (MsgId: rows): {twice}"
    assert len(final) == POSTS, len(final)
    complaints = problems(final, published, sent)
    assert not complaints, (tally(final), complaints[:10], logs)
    partial = [(pid, err) for pid, _, err, extra in unsure if extra.get(searched.COMPLETE) != "1"]
    assert not partial, f"needs_check without a complete search: {partial[:5]}"
    assert all(err and "无法确认是否已发布" in err for _, _, err, _ in unsure), unsure[:5]
    assert all(published.get(key, 0) <= 1 for _, key, _, _ in unsure)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    print(  # the run's figures, for whoever reads -s output
        f"soak: {load.made} messages, {len(load.answered)} answered, statuses "
        f"{dict(load.statuses)}, gave up {load.gave_up}; posts {tally(final)}"
    )
