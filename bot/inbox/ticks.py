"""The citizen queue's slow work and clocks, all driven by committed rows (crash-safe):

- routing: classify each unprocessed message, give it a department, notify (head too when hot),
  hand publication events to the publisher;
- deadlines: remind the department before the deadline, mark ``overdue`` and tell the head after;
  the reply window's reminders and the interim reply are ``bot.inbox.window_ticks``;
- housekeeping: forget callback nonces older than twice the time window;
- Weibo: pull comments and @mentions on a quota-aware schedule into the same queue
  (``weibo_poll``: cursors and the daily call budget in the database).

Every step is guarded in SQL or by a notification dedup key, so a tick firing twice or running
on two replicas does nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import datetime, timedelta

from aiohttp import web

from bot import keys
from bot.inbox import answer_ticks, window_ticks
from bot.inbox.inbound import INBOUND, policy_from
from bot.inbox.weibo_poll import poll_weibo
from bot.jobs import TickSpec
from review import replies
from review.models import CitizenMessage, utcnow
from review.notify import notify
from review.publishing.reconciliation import on_publish_event
from review.routing import Topic, classify, default_rules
from review.states import MessageStatus
from review.store import audit
from review.store import inbox as store
from review.store.directory import all_accounts
from review.timefmt import fmt

log = logging.getLogger("newmedia.inbox")
M = MessageStatus


async def process_loop(app: web.Application, kick: asyncio.Event, *, poll_s: float = 5.0) -> None:
    """Route new messages soon after their commit (kicked by the writer), every ``poll_s``
    anyway (other workers' commits do not kick this one).

    While callbacks stream in, routing waits for a quiet moment (at most ``MAX_DEFER_S``, then
    one small batch): the 5-second answer matters more than the classification. Once the burst
    is over, the backlog is routed in large batches, so a hot message reaches the head within
    seconds of the burst's end, not minutes."""
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(kick.wait(), timeout=poll_s)
        kick.clear()
        try:
            while await process_new(app, await batch_when_quiet(app)):
                pass
        except Exception:  # never let the loop die; the tick retries later
            log.exception("inbox processing failed")
            await asyncio.sleep(1)


#: the longest routing waits for the callbacks to pause before it takes one small batch anyway
MAX_DEFER_S = 5.0
#: messages per routing transaction while callbacks stream in (short: the writer's grouped
#: commits never wait long for SQLite's lock) and when quiet (a burst's backlog catches up fast)
BURST_BATCH = 5
QUIET_BATCH = 50


async def batch_when_quiet(app: web.Application) -> int:
    """Wait until the writer has committed nothing for 0.1 s, at most ``MAX_DEFER_S``; the
    batch size the moment allows."""
    inbound = app.get(INBOUND)
    writer = inbound.writer if inbound is not None else None
    if writer is None:
        return QUIET_BATCH
    loop = asyncio.get_running_loop()
    give_up = loop.time() + MAX_DEFER_S
    while writer.busy(0.1):
        if loop.time() >= give_up:
            return BURST_BATCH
        await asyncio.sleep(0.1)
    return QUIET_BATCH


async def process_new(app: web.Application, limit: int = BURST_BATCH) -> int:
    """Route one batch: read, classify (CPU, ≈ 50 µs a message, no transaction), then one write
    transaction. Returns how many unprocessed messages were read (0: nothing left)."""
    sessions = app[keys.SESSIONS]
    async with sessions() as session:
        ids = await store.unprocessed_ids(session, limit)
        if not ids:
            return 0
        msgs = await store.get_many(session, ids)
        accounts = {a.id: a for a in await all_accounts(session)}
        departments = await store.department_topics(session)
        heads = await replies.heads_by_department(session)
    work: list[tuple[CitizenMessage, Topic]] = []
    for msg in msgs:
        account = accounts.get(msg.account_id)
        if msg.processed or account is None:
            continue
        if msg.msg_type == "event":
            await _publication_event(app, account.key, msg.event or "", msg.text)
            topic = Topic("平台事件", (), False)
        elif msg.status == M.NEW:
            topic = classify(msg.text)
            await asyncio.sleep(0)  # let callbacks in between
        else:
            topic = Topic(default_rules().default_topic, (), False)
        work.append((msg, topic))
    if not work:
        return len(ids)
    policy = policy_from(app[keys.SETTINGS])
    fresh_new: dict[int, list[tuple[int, str, datetime | None]]] = {}
    async with sessions.begin() as session:
        for msg, topic in work:
            owner = accounts[msg.account_id].owner_department_id
            dept = await replies.route(session, msg, topic, policy, owner, departments, heads)
            if dept is not None:
                fresh_new.setdefault(dept, []).append((msg.id, topic.topic, msg.deadline_at))
        for dept, items in fresh_new.items():
            await replies.announce_new(session, dept, items)
        await window_ticks.reopen_windows(session, (m for m, _ in work))
    for msg, _topic in work:
        if msg.msg_type not in ("event", "comment", "mention_status", "mention_comment"):
            _open_sandbox_window(app, accounts[msg.account_id].key, msg.sender, msg)
    return len(ids)


def _open_sandbox_window(app: web.Application, account_key: str, openid: str, msg: object) -> None:
    sandbox = app.get(keys.SANDBOX)
    account = app[keys.SETTINGS].accounts.get(account_key)
    note = getattr(sandbox, "note_user_message", None)
    if note is not None and account is not None and account.sandbox:
        note(account_key, openid, getattr(msg, "received_at", None))


async def _publication_event(app: web.Application, account_key: str, event: str, data: str) -> None:
    """PUBLISHJOBFINISH / MASSSENDJOBFINISH: tell the publisher to settle that publication."""
    try:
        fields = json.loads(data) if data else {}
    except ValueError:
        return
    remote = fields.get("publish_id") or (
        f"mass:{fields['msg_id']}" if fields.get("msg_id") else ""
    )
    publisher = app.get(keys.PUBLISHER)
    if not remote or publisher is None:
        log.info("publication event %s on %s recorded (no publisher running)", event, account_key)
        return
    try:
        await on_publish_event(publisher, account_key, str(remote))
    except Exception:  # the publisher's own tick polls pending publications anyway
        log.exception("publication event %s on %s not applied", event, account_key)


async def deadlines(app: web.Application) -> None:
    """Remind before the deadline; after it, ``overdue`` and the head is told."""
    sessions, now = app[keys.SESSIONS], utcnow()
    policy = policy_from(app[keys.SETTINGS])
    async with sessions.begin() as session:
        for msg in await store.due_for_reminder(
            session, now + timedelta(hours=policy.reminder_hours)
        ):
            if msg.deadline_at is not None and msg.deadline_at < now:
                continue
            await store.set_fields(session, msg.id, reminded_at=now)
            await notify(
                session, kind="message_due", subject=f"message:{msg.id}", department_id=msg.department_id,
                text=f"留言 #{msg.id}（{msg.topic or '未分类'}）将于 {fmt(msg.deadline_at)} 到期，请尽快答复。",
                payload={"message_id": msg.id}, dedup_key=f"message:{msg.id}:due",
            )  # fmt: skip
    async with sessions.begin() as session:
        for msg in await store.past_deadline(session, now):
            if not await store.move(session, msg.id, M.OVERDUE):
                continue
            head = await replies.head_of(session, msg.department_id)
            await notify(
                session, kind="message_overdue", subject=f"message:{msg.id}",
                department_id=msg.department_id, person_id=head.id if head else None,
                text=f"留言 #{msg.id}（{msg.topic or '未分类'}）已超过答复期限 {fmt(msg.deadline_at)}，请督办。",
                payload={"message_id": msg.id}, dedup_key=f"message:{msg.id}:overdue",
            )  # fmt: skip
            await audit.append(
                session, actor="system", action="message.overdue", subject_type="message",
                subject_id=msg.id, detail={"deadline": msg.deadline_at.isoformat() if msg.deadline_at else None},
            )  # fmt: skip


async def prune_nonces(app: web.Application) -> None:
    window = app[keys.SETTINGS].file.inbox.timestamp_window_seconds
    async with app[keys.SESSIONS].begin() as session:
        await store.prune_nonces(session, utcnow() - timedelta(seconds=2 * window))


def tick_specs(app: web.Application) -> list[TickSpec]:
    poll_s = app[keys.SETTINGS].file.inbox.weibo_poll_minutes * 60
    return [
        TickSpec("inbox_process", 5, lambda a: _drain(a)),
        TickSpec("inbox_deadlines", 60, deadlines),
        *window_ticks.tick_specs(app),
        *answer_ticks.tick_specs(app),
        TickSpec("inbox_prune_nonces", 600, prune_nonces),
        TickSpec("weibo_comments", poll_s, poll_weibo, single=True),
    ]


async def _drain(app: web.Application) -> None:
    """The loop's safety net; like the loop, it lets a burst of callbacks pass first."""
    await process_new(app, await batch_when_quiet(app))
