"""Shared by the publishing tests, reliability workers and the drain benchmark: approved
publications seeded straight into the database, and a fake channel that counts what it was sent.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import (
    GoingPublic,
    MessagePage,
    NotSupported,
    Platform,
    Post,
    Receipt,
    ReceiptState,
    Rejected,
    Transient,
    nothing_to_announce,
)
from review.db import SessionFactory
from review.drafts import content_hash
from review.models import (
    Account,
    Draft,
    DraftTarget,
    Person,
    Publication,
    ReviewTask,
    Revision,
    utcnow,
)


@dataclass
class Seeded:
    publication_ids: list[int]
    revision_ids: list[int]


async def approved_task(s: AsyncSession, rev: Revision, account: Account, reviewer: Person) -> None:
    """The review task ``reviewer`` approved for ``rev`` on ``account`` (its hash pinned)."""
    await s.execute(
        insert(ReviewTask).values(
            draft_id=rev.draft_id,
            revision_id=rev.id,
            account_id=account.id,
            stage_index=0,
            stage_name="初审",
            department_id=account.owner_department_id,
            status="approved",
            decided_by=reviewer.id,
            approved_hash=rev.content_hash,
        )
    )


async def seed(
    sessions: SessionFactory,
    n: int,
    *,
    accounts: tuple[str, ...] = ("ccmz_wechat",),
    due_at: datetime | None = None,
    title: str = "民政动态",
    body: str = "本市今冬救助工作有序开展。",
    cover_path: str | None = None,
    approve: bool = True,
) -> Seeded:
    """``n`` approved drafts, one publication each, spread round-robin over ``accounts``."""
    due = due_at or utcnow()
    async with sessions.begin() as s:
        author = await s.scalar(select(Person).where(Person.key == "zhao_min"))
        reviewer = await s.scalar(select(Person).where(Person.key == "li_na"))
        assert author is not None and reviewer is not None
        acc = {a.key: a for a in (await s.scalars(select(Account))).all()}
        pubs: list[int] = []
        revs: list[int] = []
        for i in range(n):
            account = acc[accounts[i % len(accounts)]]
            draft = Draft(author_id=author.id, status="scheduled", current_revision=1)
            s.add(draft)
            await s.flush()
            s.add(DraftTarget(draft_id=draft.id, account_id=account.id))
            rev = Revision(
                draft_id=draft.id,
                number=1,
                title=f"{title}{i + 1}",
                body=body,
                kind="工作动态",
                source=None,
                author_name="",
                digest="",
                cover_path=cover_path,
                content_hash="",
                created_by=author.id,
            )
            rev.content_hash = content_hash(rev)
            s.add(rev)
            await s.flush()
            if approve:
                await approved_task(s, rev, account, reviewer)
            pub = Publication(
                draft_id=draft.id,
                revision_id=rev.id,
                account_id=account.id,
                status="scheduled",
                due_at=due,
                idempotency_key=f"nm-{draft.id}-{account.id}",
                receipt_extra={},
            )
            s.add(pub)
            await s.flush()
            pubs.append(pub.id)
            revs.append(rev.id)
    return Seeded(pubs, revs)


@dataclass
class FakeChannel:
    """A platform that publishes at once (or answers PENDING), with scripted failures."""

    account_key: str
    platform: Platform = Platform.WEIBO
    pending: bool = False
    delay: float = 0.0
    #: exceptions raised by the next publish calls, in order
    failures: list[Exception] = field(default_factory=list)
    published: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    checks: int = 0
    retracted: list[tuple[str, int]] = field(default_factory=list)
    check_answer: ReceiptState | None = None
    #: when set, every publish call reports itself in ``arrived`` and waits for the gate (to
    #: force an interleaving instead of timing one)
    gate: asyncio.Event | None = None
    arrived: asyncio.Queue[int] = field(default_factory=asyncio.Queue)

    async def publish(
        self, post: Post, *, going_public: GoingPublic = nothing_to_announce
    ) -> Receipt:
        await going_public()  # a fake has no private steps: its one call is the public one
        self.calls += 1
        if self.gate is not None:
            self.arrived.put_nowait(post.publication_id)
            await self.gate.wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failures:
            raise self.failures.pop(0)
        self.published[post.idempotency_key] += 1
        rid = f"r{post.publication_id}"
        if self.pending:
            return Receipt(ReceiptState.PENDING, remote_id=rid, extra={"publish_id": rid})
        return Receipt(ReceiptState.PUBLISHED, remote_id=rid, url=f"https://example.invalid/{rid}")

    async def check(self, post: Post, receipt: Receipt | None) -> Receipt:
        self.checks += 1
        if self.check_answer is not None:
            return Receipt(self.check_answer, remote_id=f"r{post.publication_id}")
        if self.published[post.idempotency_key]:
            rid = f"r{post.publication_id}"
            return Receipt(
                ReceiptState.PUBLISHED, remote_id=rid, url=f"https://example.invalid/{rid}"
            )
        return Receipt(ReceiptState.UNKNOWN, detail="未找到")

    async def retract(self, remote_id: str, *, index: int = 1) -> None:
        self.retracted.append((remote_id, index))

    async def reply(self, to: str, text: str, *, ref: str | None = None) -> None:
        raise NotSupported("fake")

    async def fetch_messages(self, since: str | None) -> MessagePage:
        return MessagePage((), None)


__all__ = ["FakeChannel", "Rejected", "Seeded", "Transient", "seed"]
