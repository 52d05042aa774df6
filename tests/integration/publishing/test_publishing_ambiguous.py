"""An unclear publish (the platform may have done it) is checked, never resent; a slow call keeps
its lease; a receipt that comes back after a takeover is kept."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from publishing_support import FakeChannel, seed
from sqlalchemy import select, update

from channels.base import GoingPublic, NotSent, Post, Receipt, Transient
from review.db import SessionFactory
from review.models import AuditEvent, Notification, Publication, utcnow
from review.publishing import resolution
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher
from review.publishing.reconciliation import poll_pending, reconcile_expired

FAST = PublishingConfig(
    backoff_base_seconds=0.01, backoff_cap_seconds=0.02, max_attempts=4, lease_seconds=10
)


def publisher(sf: SessionFactory, ch: FakeChannel, config: PublishingConfig = FAST) -> Publisher:
    return Publisher(sf, {ch.account_key: ch}, config)


async def only_row(sf: SessionFactory) -> Publication:
    async with sf() as s:
        [row] = (await s.scalars(select(Publication))).all()
        return row


async def kinds(sf: SessionFactory) -> list[str]:
    async with sf() as s:
        return list((await s.scalars(select(Notification.kind))).all())


def lost_answer(ch: FakeChannel, code: str) -> None:
    """The platform does the work, but the answer never arrives intact."""

    async def publish(post: Post, *, going_public: GoingPublic) -> Receipt:
        await going_public()
        ch.calls += 1
        ch.published[post.idempotency_key] += 1
        raise Transient("lost", code=code)

    ch.publish = publish  # type: ignore[method-assign]


async def ticks(pub: Publisher, n: int) -> None:
    for _ in range(n):
        await pub.publish_due()
        await asyncio.sleep(0.03)


@pytest.mark.pg
@pytest.mark.parametrize("code", ["http 502", "bad json", "-1"])
async def test_a_5xx_or_garbled_answer_is_checked_not_resent(sf: SessionFactory, code: str) -> None:
    await seed(sf, 1)
    ch = FakeChannel("ccmz_wechat")
    lost_answer(ch, code)
    await ticks(publisher(sf, ch), 3)
    row = await only_row(sf)
    assert (row.status, ch.calls, ch.checks) == ("published", 1, 1)
    assert ch.published[row.idempotency_key] == 1 and row.remote_id == f"r{row.id}"
    assert "ambiguous" not in row.receipt_extra


@pytest.mark.pg
async def test_unclear_and_not_found_goes_to_a_human_never_a_second_publish(
    sf: SessionFactory,
) -> None:
    """WeChat's lookup only sees finished articles: "not found" may be "still publishing"."""
    await seed(sf, 1)
    ch = FakeChannel("ccmz_wechat", failures=[Transient("timeout", code="timeout")])
    pub = publisher(sf, ch)
    await ticks(pub, 4)
    row = await only_row(sf)
    assert (row.status, ch.calls, ch.checks, row.attempts) == ("needs_check", 1, 1, 2)
    assert "不再自动重试" in (row.last_error or "")
    assert await kinds(sf) == ["publication_needs_check"]
    # a reviewer looked: not live, send it again → one real publish, no second check
    async with sf.begin() as s:
        await resolution.settle(s, row.id, "li_na", "retry", note="后台未见该文章")
    await ticks(pub, 2)
    row = await only_row(sf)
    assert (row.status, ch.calls, ch.checks) == ("published", 2, 1)
    assert ch.published[row.idempotency_key] == 1


async def test_unclear_at_the_attempt_cap_needs_check_not_failed(sf: SessionFactory) -> None:
    await seed(sf, 1)
    ch = FakeChannel("ccmz_wechat", failures=[Transient("502", code="http 502")])
    await publisher(sf, ch, replace(FAST, max_attempts=1)).publish_due()
    row = await only_row(sf)
    assert (row.status, ch.calls) == ("needs_check", 1)
    assert await kinds(sf) == ["publication_needs_check"]


async def test_a_failed_check_keeps_the_row_unclear(sf: SessionFactory) -> None:
    """The check itself could not connect: still no resend, the next try checks again."""
    await seed(sf, 1)
    ch = FakeChannel("ccmz_wechat", failures=[Transient("timeout", code="timeout")])
    real_check = ch.check
    refusals = [NotSent("refused")]

    async def check(post: Post, receipt: Receipt | None) -> Receipt:
        if refusals:
            ch.checks += 1
            raise refusals.pop()
        return await real_check(post, receipt)

    ch.check = check  # type: ignore[method-assign]
    pub = publisher(sf, ch)
    await ticks(pub, 2)
    row = await only_row(sf)
    assert (row.status, row.receipt_extra, ch.calls) == ("scheduled", {"ambiguous": "1"}, 1)
    await ticks(pub, 2)
    row = await only_row(sf)
    assert (row.status, ch.calls, ch.checks) == ("needs_check", 1, 2)


@pytest.mark.pg
async def test_a_slow_call_renews_its_lease_and_is_not_taken_over(sf: SessionFactory) -> None:
    """While the call is in flight the heartbeat moves the lease on, and a reconciler whose
    clock is past the first lease finds the row still held. The call is held by a gate and the
    reconciler's clock is set, so no race against the heartbeat decides the outcome."""
    await seed(sf, 1)
    ch = FakeChannel("ccmz_wechat", gate=asyncio.Event())
    short = replace(FAST, lease_seconds=0.6)  # a heartbeat every fraction of a second
    task = asyncio.ensure_future(publisher(sf, ch, short).publish_due())
    await asyncio.wait_for(ch.arrived.get(), 30)  # the call is in flight
    first = (await only_row(sf)).lease_until
    assert first is not None
    renewed = first
    for _ in range(600):  # an upper bound against a hang, not a wait for a race
        renewed = (await only_row(sf)).lease_until or first
        if renewed > first:
            break
        await asyncio.sleep(0.05)
    assert renewed > first, "the heartbeat never renewed the lease"
    past_first_lease = first + (renewed - first) / 2
    survivor = Publisher(sf, {"ccmz_wechat": ch}, short, clock=lambda: past_first_lease)  # type: ignore[dict-item]
    assert await reconcile_expired(survivor) == 0
    assert ch.gate is not None
    ch.gate.set()
    await task
    row = await only_row(sf)
    assert (ch.checks, row.status, row.lease_until) == (0, "published", None)
    assert ch.published[row.idempotency_key] == 1


async def expire_and_reconcile(sf: SessionFactory, ch: FakeChannel) -> None:
    """The lease runs out under a call still in flight; a reconciler cannot tell → needs_check."""
    async with sf.begin() as s:
        await s.execute(update(Publication).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert await reconcile_expired(publisher(sf, ch)) == 1
    assert (await only_row(sf)).status == "needs_check"


@pytest.mark.pg
async def test_a_receipt_after_a_takeover_is_kept_and_settles_the_row(sf: SessionFactory) -> None:
    await seed(sf, 1)
    ch = FakeChannel("ccmz_wechat", gate=asyncio.Event())
    task = asyncio.ensure_future(publisher(sf, ch).publish_due())
    await ch.arrived.get()  # the call is at the platform (held there): forced, not timed
    await expire_and_reconcile(sf, ch)
    ch.gate.set()  # type: ignore[union-attr]
    await task
    row = await only_row(sf)
    assert (row.status, row.remote_id, row.url) == (
        "published",
        f"r{row.id}",
        f"https://example.invalid/r{row.id}",
    )
    assert row.published_at is not None and ch.published[row.idempotency_key] == 1
    async with sf() as s:
        actions = list((await s.scalars(select(AuditEvent.action))).all())
    assert "publication.late_receipt" in actions


async def test_a_late_pending_receipt_is_polled_to_the_end(sf: SessionFactory) -> None:
    """WeChat answers "submitted, publishing": the publish_id is kept and polling settles it."""
    await seed(sf, 1)
    ch = FakeChannel("ccmz_wechat", gate=asyncio.Event(), pending=True)
    pub = publisher(sf, ch)
    task = asyncio.ensure_future(pub.publish_due())
    await ch.arrived.get()  # the call is at the platform (held there): forced, not timed
    await expire_and_reconcile(sf, ch)
    ch.gate.set()  # type: ignore[union-attr]
    await task
    row = await only_row(sf)
    assert (row.status, row.receipt_extra) == ("pending", {"publish_id": f"r{row.id}"})
    assert await poll_pending(pub) == 1
    assert (await only_row(sf)).status == "published"
    assert ch.published[row.idempotency_key] == 1
