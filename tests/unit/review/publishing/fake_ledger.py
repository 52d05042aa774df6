"""An in-memory stand-in for the publishing engine's storage: the claim source and the outcome
log in one, keeping each publication's row the way the database would (status, attempts, lease,
retry time, receipt flags), so the engine can be driven without a database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from review.models import Publication, Revision
from review.publishing.claiming import Claimed
from review.publishing.rules import Outcome
from review.publishing.targets import Target
from review.states import PublicationStatus as P


@dataclass
class Row:
    id: int
    account: str
    due_at: datetime
    status: P = P.SCHEDULED
    attempts: int = 0
    lease_until: datetime | None = None
    #: the sending mark: committed just before the call
    sending_at: datetime | None = None
    receipt_extra: dict[str, str] = field(default_factory=dict)
    remote_id: str | None = None
    url: str | None = None
    last_error: str | None = None


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeLedger:
    clock: Clock
    lease_seconds: float = 60.0
    rows: dict[int, Row] = field(default_factory=dict)
    #: (publication id, status) for every outcome recorded, in order
    recorded: list[tuple[int, P]] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    claims: int = 0
    #: the limit each claim asked for, in order
    limits: list[int] = field(default_factory=list)
    #: how many rows each claim took, in order
    taken: list[int] = field(default_factory=list)
    #: ids handed back by ``hand_back`` (a stop), in order
    handed_back: list[int] = field(default_factory=list)
    #: ids whose mark is refused (the row was taken from us meanwhile)
    refuse_marks: set[int] = field(default_factory=set)

    def add(self, account: str, *, due_in: float = 0.0) -> int:
        pid = len(self.rows) + 1
        self.rows[pid] = Row(pid, account, self.clock() + timedelta(seconds=due_in))
        return pid

    def status(self, pid: int) -> P:
        return self.rows[pid].status

    # ---- ClaimSource ---------------------------------------------------------------------------

    async def claim(self, limit: int, *, ahead: float = 0.0, ahead_rows: int = 0) -> Claimed:
        self.claims += 1
        self.limits.append(limit)
        now = self.clock()
        by = now + timedelta(seconds=ahead)
        waiting = sorted(
            (r for r in self.rows.values() if r.status is P.SCHEDULED and r.due_at <= by),
            key=lambda r: (r.due_at, r.id),
        )
        due = waiting[:limit]
        if ahead > 0:  # beyond ``limit``: only rows not due yet
            due += [r for r in waiting[limit:] if r.due_at > now][:ahead_rows]
        for row in due:
            row.status = P.PUBLISHING
            row.attempts += 1
            row.lease_until = now + timedelta(seconds=self.lease_seconds)
            row.sending_at = None
        self.taken.append(len(due))
        return Claimed([(self._publication(r), self._target(r)) for r in due], len(due))

    def _publication(self, row: Row) -> Publication:
        """A fresh copy per claim, as a query would return."""
        return Publication(
            id=row.id,
            draft_id=row.id,
            revision_id=row.id,
            account_id=1,
            status=str(row.status),
            due_at=row.due_at,
            lease_until=row.lease_until,
            attempts=row.attempts,
            idempotency_key=f"nm-{row.id}",
            receipt_extra=dict(row.receipt_extra),
            remote_id=row.remote_id,
            url=row.url,
        )

    def _target(self, row: Row) -> Target:
        revision = Revision(
            id=row.id,
            title=f"民政动态{row.id}",
            body="本市今冬救助工作有序开展。",
            kind="工作动态",
            source=None,
            author_name="",
            digest="",
            cover_path=None,
            content_hash="",
        )
        return Target(row.account, 1, 1, revision)

    # ---- OutcomeLog ----------------------------------------------------------------------------

    async def record(
        self,
        pub: Publication,
        target: Target,
        outcome: Outcome,
        accepted_at: datetime | None,
        *,
        expected: P = P.PUBLISHING,
    ) -> bool:
        row = self.rows[pub.id]
        if row.status is not expected:
            return False
        row.status = outcome.status
        row.last_error = outcome.error
        row.remote_id = outcome.remote_id or row.remote_id
        row.url = outcome.url or row.url
        if outcome.extra:
            row.receipt_extra = dict(outcome.extra)
        if outcome.status is P.SCHEDULED:
            row.due_at = outcome.retry_at or self.clock()
            row.sending_at = None
        row.lease_until = None
        self.recorded.append((pub.id, outcome.status))
        return True

    async def record_late(self, pub: Publication, target: Target, outcome: Outcome) -> P | None:
        return None

    @asynccontextmanager
    async def holding(self, publication_id: int, lease_seconds: float) -> AsyncIterator[None]:
        yield

    async def release(self, publication_id: int) -> None:
        row = self.rows[publication_id]
        row.status, row.lease_until, row.sending_at = P.SCHEDULED, None, None
        row.attempts -= 1
        self.released.append(publication_id)

    async def mark_sending(self, publication_id: int) -> bool:
        row = self.rows[publication_id]
        if publication_id in self.refuse_marks or row.status is not P.PUBLISHING:
            return False
        if row.sending_at is not None:
            return False
        row.sending_at = self.clock()
        return True

    async def hand_back(self) -> int:
        """A stop: every claimed row never marked goes back to scheduled."""
        unsent = [
            r for r in self.rows.values() if r.status is P.PUBLISHING and r.sending_at is None
        ]
        for row in unsent:
            row.status, row.lease_until = P.SCHEDULED, None
            row.attempts -= 1
            self.handed_back.append(row.id)
        return len(unsent)
