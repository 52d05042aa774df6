"""Claiming due publications: one short transaction that takes rows and vets them before any
platform call — the publishing writer's (recording.py ``in_writes``), shared with the sending
marks and outcomes queued at the same moment: on SQLite a claim in a transaction of its own
only queued on the database's write lock behind them.

Rows are taken with a guarded claim (``store.claim_due``: each row goes to exactly one worker).
In the same transaction a row whose content is not exactly what every stage approved is
cancelled (先审后发), and a row whose account has no channel fails; only the rest come back to
be sent. Nothing here calls a platform.

Rows go back to ``scheduled`` here too when no call of theirs can have started (never marked
sending, see recording.py ``mark_sending``): a stopping worker's own (``hand_back``) and any
whose lease ran out (``hand_back_expired``, every reconcile round) — no person, no alert.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from review import disclosure
from review.db import SessionFactory
from review.drafts import content_hash
from review.models import Publication
from review.notify import notify
from review.publishing import rules
from review.publishing.recording import Recorder
from review.publishing.targets import Target
from review.states import PublicationStatus
from review.store import audit
from review.store import publications as store

log = logging.getLogger("newmedia.publisher")

#: the claim query (``store.claim_due``; the reliability tests swap in a naive one)
Claim = Callable[..., Awaitable[list[Publication]]]


@dataclass(frozen=True)
class Claimed:
    """The rows to send, with where each goes, and how many rows the claim took in all."""

    sendable: list[tuple[Publication, Target]]
    taken: int


class DbClaims:
    """Claims for one worker in the database, vetted in the claim's own transaction."""

    def __init__(
        self,
        sessions: SessionFactory,
        recorder: Recorder,
        *,
        worker: str,
        clock: Callable[[], datetime],
        lease_seconds: float,
        channels: Container[str],
        claim: Claim = store.claim_due,
    ) -> None:
        self.sessions = sessions
        self.recorder = recorder
        self.worker = worker
        self.clock = clock
        self.lease_seconds = lease_seconds
        self.channels = channels
        self.query = claim

    async def claim(self, limit: int, *, ahead: float = 0.0, ahead_rows: int = 0) -> Claimed:
        """Up to ``limit`` rows due within ``ahead`` seconds, and up to ``ahead_rows`` more not
        yet due, in the writer's transaction (recording.py ``in_writes``)."""
        claim = functools.partial(self._claim, limit=limit, ahead=ahead, ahead_rows=ahead_rows)
        claimed = await self.recorder.in_writes(claim)
        if claimed.taken:
            log.info("claimed %d publication(s) (%d to send)", claimed.taken, len(claimed.sendable))
        return claimed

    async def _claim(
        self, session: AsyncSession, *, limit: int, ahead: float, ahead_rows: int
    ) -> Claimed:
        now = self.clock()
        by = now + timedelta(seconds=ahead)
        kw = {"now": now, "due_by": by, "worker": self.worker, "lease_seconds": self.lease_seconds}
        rows = await self.query(session, limit=limit, **kw)
        if ahead_rows > 0 and ahead > 0:
            # rows not due yet, beyond the free call slots: prepared in few large claims, never
            # a backlog row that is due now (those wait for a free slot: ``limit``)
            rows += await self.query(session, limit=ahead_rows, after=now, **kw)
        if not rows:
            return Claimed([], 0)
        context = await store.load_context(session, [p.id for p in rows])
        pairs = [(p.revision_id, p.account_id) for p in rows]
        pinned = await store.approved_hashes(session, pairs)
        sendable: list[tuple[Publication, Target]] = []
        for pub in rows:
            revision, account = context[pub.id]
            target = Target(account.key, account.id, account.owner_department_id, revision)
            approved = pinned.get((pub.revision_id, pub.account_id), [])
            if disclosure.withheld(revision.disclosure):  # 不予公开: never, whatever was approved
                await self._cancel_unapproved(session, pub, target, now, withheld=True)
                continue
            if rules.hash_mismatch(revision, content_hash(revision), approved):
                await self._cancel_unapproved(session, pub, target, now)
                continue
            if target.key not in self.channels:
                await self._no_channel(session, pub, target)
                continue
            sendable.append((pub, target))
        return Claimed(sendable, len(rows))

    async def hand_back(self) -> int:
        """Every row this worker claimed and never marked goes back to ``scheduled``, in one
        guarded UPDATE (a stop: nothing of ours is left for the lease to run out on)."""
        async with self.sessions.begin() as session:
            handed = await store.hand_back_unsent(session, worker=self.worker, now=self.clock())
        if handed:
            log.info("handed back %d claimed publication(s) never sent", handed)
        return handed

    async def hand_back_expired(self) -> int:
        """Rows of any worker whose lease ran out before a call started go back to
        ``scheduled`` and are published once, normally; only marked rows are reconciled."""
        async with self.sessions.begin() as session:
            handed = await store.hand_back_expired(session, now=self.clock())
        if handed:
            log.info("%d expired claim(s) never sent: back to scheduled", handed)
        return handed

    async def _cancel_unapproved(
        self,
        session: AsyncSession,
        pub: Publication,
        target: Target,
        now: datetime,
        *,
        withheld: bool = False,
    ) -> None:
        """先审后发: content that is not exactly what was approved never goes out; nor does an
        item marked 不予公开 (review.disclosure), however it reached the queue."""
        reason = (
            f"{disclosure.WITHHELD_REASON}，已取消发布"
            if withheld
            else "内容与审核通过的版本不一致（或未经全部审核），已取消发布"
        )
        await store.cancel(session, pub.id, reason, now)
        await audit.append(
            session,
            actor="system",
            action="publication.cancel",
            subject_type="publication",
            subject_id=pub.id,
            detail={
                "reason": "withheld" if withheld else "hash_mismatch",
                "revision": pub.revision_id,
            },
        )
        await notify(
            session,
            kind="publication_failed",
            subject=f"publication:{pub.id}",
            text=f"「{target.revision.title}」{reason}。"
            + ("" if withheld else "请重新提交审核。"),
            department_id=target.department_id,
            dedup_key=f"publication:{pub.id}:cancelled",
        )

    async def _no_channel(self, session: AsyncSession, pub: Publication, target: Target) -> None:
        outcome = rules.Outcome(
            PublicationStatus.FAILED,
            error=f"账号 {target.key} 未配置发布通道",
            notify="publication_failed",
        )
        await self.recorder.apply(session, pub, target, outcome, None)
