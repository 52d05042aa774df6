"""Asking the platform what became of a publication: pending polls, events and crash recovery.

A ``publishing`` row whose lease ran out belongs to a worker that died between claim and record.
It is reconciled with ``channel.check`` (WeChat publish status / mass clientmsgid, a search by
key back to the send time) and never re-sent blindly: a post not found is sent again only where
the search shows that cannot publish twice (``rules.resend_after_miss``), otherwise it becomes
``needs_check`` with the searched window in its message.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from channels.base import ChannelError, Receipt, ReceiptState
from review.models import Publication
from review.publishing import poll_backoff, rules
from review.publishing.publisher import Publisher
from review.publishing.targets import Target
from review.states import PublicationStatus as P
from review.store import pending_polls
from review.store import publications as store
from review.store.directory import account_by_key

log = logging.getLogger("newmedia.publisher")

#: a post the platform still calls "publishing" after this long goes to a human
PENDING_GIVE_UP = timedelta(hours=6)


async def _targets(publisher: Publisher, rows: list[Publication]) -> dict[int, Target]:
    async with publisher.sessions() as session:
        context = await store.load_context(session, [p.id for p in rows])
    return {
        pid: Target(acc.key, acc.id, acc.owner_department_id, rev)
        for pid, (rev, acc) in context.items()
    }


async def reconcile_expired(publisher: Publisher, limit: int = 50) -> int:
    """Take over rows whose claimant vanished and settle them from the platform's answer."""
    now = publisher.clock()
    async with publisher.sessions.begin() as session:
        rows = await store.claim_expired(
            session,
            now=now,
            limit=limit,
            worker=publisher.worker,
            lease_seconds=publisher.config.lease_seconds,
        )
    if not rows:
        return 0
    log.warning("reconciling %d publication(s) left in 'publishing' by a stopped worker", len(rows))
    targets = await _targets(publisher, rows)
    await asyncio.gather(*(_reconcile_one(publisher, pub, targets[pub.id]) for pub in rows))
    return len(rows)


async def _reconcile_one(publisher: Publisher, pub: Publication, target: Target) -> None:
    channel = publisher.channels.get(target.key)
    if channel is None:
        outcome = rules.from_receipt(
            Receipt(ReceiptState.UNKNOWN, detail="未配置发布通道"), reconciled=True
        )
        await publisher.recorder.record(pub, target, outcome, None)
        return
    post = publisher.build(pub, target)
    try:
        async with publisher.limit(target.key):
            receipt = await channel.check(post, rules.receipt_of(pub))
    except ChannelError as exc:
        # our new lease runs out and the next reconcile tick tries again
        log.warning("reconcile of publication %d failed: %s", pub.id, type(exc).__name__)
        return
    # not found: sent again by itself only where the search shows that cannot publish twice
    outcome = rules.from_receipt(receipt, reconciled=True)
    if outcome.status is P.SCHEDULED:
        log.info("publication %d not found after a full search: sending it again", pub.id)
    accepted = publisher.clock() if outcome.platform_accepted else None
    await publisher.recorder.record(pub, target, outcome, accepted)


async def poll_pending(publisher: Publisher, limit: int = 100) -> int:
    """Ask the platform about accepted-but-unfinished posts (the event may never come) — each
    row only once its next check has come (``poll_backoff``), not at every tick."""
    async with publisher.sessions() as session:
        rows = await pending_polls.due(session, now=publisher.clock(), limit=limit)
    if not rows:
        return 0
    targets = await _targets(publisher, rows)
    settled = await asyncio.gather(*(check_pending(publisher, p, targets[p.id]) for p in rows))
    return sum(settled)


async def check_pending(publisher: Publisher, pub: Publication, target: Target) -> bool:
    """One pending publication: record the platform's final answer if there is one; else note
    when to ask again. A failing row is logged when it starts failing and when it answers again
    or is given up, not at each poll."""
    channel = publisher.channels.get(target.key)
    if channel is None:
        return False
    now = publisher.clock()
    was_failing = poll_backoff.is_failing(pub.last_error)
    waited = now - pub.updated_at
    try:
        async with publisher.limit(target.key):
            receipt = await channel.check(publisher.build(pub, target), rules.receipt_of(pub))
    except ChannelError as exc:
        if waited < PENDING_GIVE_UP:
            await _ask_later(publisher, pub, now, was_failing, poll_backoff.poll_error(str(exc)))
            return False
        log.warning("poll of publication %d still failing: given up to a person", pub.id)
        receipt = Receipt(ReceiptState.UNKNOWN, detail=f"平台长时间无法查询发布结果：{exc}")
    else:
        if receipt.state is ReceiptState.PENDING and waited < PENDING_GIVE_UP:
            await _ask_later(publisher, pub, now, was_failing, None)
            return False
        if was_failing:
            log.warning("poll of publication %d answers again", pub.id)
        if receipt.state is ReceiptState.PENDING:
            receipt = Receipt(ReceiptState.UNKNOWN, detail="平台长时间未给出发布结果")
    outcome = rules.from_receipt(receipt)
    return await publisher.recorder.record(pub, target, outcome, None, expected=P.PENDING)


async def _ask_later(
    publisher: Publisher, pub: Publication, now: datetime, was_failing: bool, error: str | None
) -> None:
    change = poll_backoff.change(was_failing, error is not None)
    if change is not None:
        log.warning("poll of publication %d %s: %s", pub.id, change.value, error or "")
    at = poll_backoff.next_check(pub.updated_at, now)
    async with publisher.sessions.begin() as session:
        await pending_polls.ask_later(session, pub.id, at=at, error=error)


async def on_publish_event(publisher: Publisher, account_key: str, remote_id: str) -> bool:
    """A PUBLISHJOBFINISH / MASSSENDJOBFINISH event: settle that publication now.

    The event only says "look now"; the answer is taken from ``check`` so a forged or replayed
    event cannot mark anything published."""
    async with publisher.sessions() as session:
        account = await account_by_key(session, account_key)
        if account is None:
            return False
        pub = await store.by_remote(session, account.id, remote_id)
    if pub is None or pub.status != P.PENDING:
        return False
    targets = await _targets(publisher, [pub])
    return await check_pending(publisher, pub, targets[pub.id])
