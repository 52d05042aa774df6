"""One notifier interface for everything staff are told.

Domain code calls ``notify(...)`` inside its own transaction: the notification is stored with the
change that caused it (nothing is lost if delivery fails). Delivery happens later, outside any
transaction, through a ``Deliverer`` — logging until chat lands, then WeCom.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from review.db import SessionFactory
from review.models import Notification
from review.store import notifications as store

log = logging.getLogger("newmedia.notify")

KINDS = {
    "task_waiting": "待审任务",
    "claim_expiring": "认领即将到期",
    "draft_returned": "稿件被退回",
    "draft_blocked": "稿件未通过自动检查",
    "draft_rejected": "稿件被驳回",
    "draft_override": "负责人批准例外",
    "draft_scheduled": "稿件已通过审核并排期",
    "task_assigned": "任务已转派给你",
    "publication_failed": "发布失败",
    "publication_rejected": "平台审核未通过",
    "publication_needs_check": "发布待人工核对",
    "publication_late": "延迟发布",
    "publication_episode": "账号发布异常",
    "message_new": "新留言",
    "message_hot": "热点留言",
    "message_due": "留言即将到期",
    "message_overdue": "留言已超期",
    "message_transferred": "留言转办",
    "message_window": "回复窗口即将关闭",
    "message_window_head": "回复窗口即将关闭，留言仍未答复",
    "message_interim_failed": "过渡答复未能发出",
    "message_public_answer": "留言公开答复",
    "account_dormant": "账号长期未更新",
    "post_unreviewed": "未经审核发布",
    "wording_waiting": "口径待审核",
    "wording_decided": "口径审核结果",
    "wording_due": "办事指南即将超过上线时限",
    "wording_overdue": "办事指南超过上线时限",
    "weekly_digest": "每周摘要",
    "interpretation_due": "规范性文件待发布政策解读",
    "interpretation_overdue": "政策解读超过时限",
}


async def notify(
    session: AsyncSession,
    *,
    kind: str,
    subject: str,
    text: str,
    department_id: int | None = None,
    person_id: int | None = None,
    payload: dict[str, Any] | None = None,
    dedup_key: str | None = None,
    held: bool = False,
    at: datetime | None = None,
) -> Notification | None:
    """``held``: a per-post publishing alert, never delivered itself; the delivery tick files it
    under its account's episode (review/publishing/alert_gathering.py), which is announced once.
    ``at``: when it happened, by the caller's clock (default now)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    return await store.add(
        session,
        kind=kind,
        subject=subject,
        text=text,
        department_id=department_id,
        person_id=person_id,
        payload=payload,
        dedup_key=dedup_key,
        status="held" if held else "pending",
        at=at,
    )


class Deliverer(Protocol):
    """Delivers one stored notification; returns the final status ("sent" or "logged")."""

    async def deliver(self, note: Notification) -> str: ...


class LogDeliverer:
    """Until chat delivery is configured: log (without personal data) and mark ``logged``."""

    async def deliver(self, note: Notification) -> str:
        log.info("notification %s kind=%s subject=%s", note.id, note.kind, note.subject)
        return "logged"


async def deliver_pending(sessions: SessionFactory, deliverer: Deliverer, limit: int = 50) -> int:
    """Claim a batch (commit); then per row: renew its claim (commit), deliver with no
    transaction open, record the outcome under that claim. Returns the rows delivered or tried.

    Sent once across replicas: a row is claimed by a guarded update, committed before any
    WeCom call, so two replicas claiming at the same moment split the rows. The claims of a
    batch are all taken at its start, though, and one delivery may take seconds (each WeCom call
    up to 10 s): by a slow batch's last row its claim could have run out and another replica
    sent it. So each row's claim is renewed right before its call, guarded by the claim's fence
    (``store.claim_pending``); a row lost meanwhile is skipped, and a late outcome never
    overwrites another deliverer's."""
    async with sessions.begin() as session:
        batch = await store.claim_pending(session, limit)
    tried = 0
    for note in batch:
        async with sessions.begin() as session:
            claim = await store.renew_claim(session, note.id, note.claimed_until)
        if claim is None:
            log.info("notification %s: its claim ran out and was taken over; skipped", note.id)
            continue
        tried += 1
        try:
            status, error = await deliverer.deliver(note), None
        except Exception as exc:  # delivery trouble must not lose the notification
            status, error = ("pending" if note.attempts < 5 else "failed"), type(exc).__name__
            log.warning("notification %s delivery failed: %s", note.id, error)
        async with sessions.begin() as session:
            if not await store.mark(session, note.id, status, error, claim=claim):
                log.warning("notification %s: outcome not recorded (claim lost)", note.id)
    return tried
