"""What to do with a publication after a platform call: pure decisions, no I/O.

The publisher (bot/publisher.py) claims rows, calls a channel with no transaction open, and asks
this module what the answer means: the next status, when to retry, whom to tell. Keeping the
decisions here makes the rules testable without a database or a platform.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from channels.base import (
    AuthExpired,
    NotSupported,
    Post,
    Receipt,
    ReceiptState,
    Rejected,
    Transient,
)
from review.models import Publication, Revision
from review.states import PublicationStatus as P

#: Transient codes after which the platform may have done the work (the answer was lost)
AMBIGUOUS_CODES = frozenset({"timeout", "network"})
#: a publication this late is reported to its owner department
LATE_NOTICE_SECONDS = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_seconds: float = 30.0
    cap_seconds: float = 1800.0


@dataclass(frozen=True)
class Outcome:
    """The next state of a publication and what goes with it."""

    status: P
    remote_id: str | None = None
    url: str | None = None
    error: str | None = None
    #: for SCHEDULED: when to try again
    retry_at: datetime | None = None
    #: notification kind (review.notify.KINDS) to send to the owner department, if any
    notify: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def platform_accepted(self) -> bool:
        return self.status in (P.PUBLISHED, P.PENDING)


def backoff_seconds(attempts: int, policy: RetryPolicy, retry_after: float | None = None) -> float:
    """Exponential: base, 2·base, 4·base … capped; a platform's own Retry-After wins if longer."""
    delay: float = min(policy.cap_seconds, policy.base_seconds * 2.0 ** max(0, attempts - 1))
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.cap_seconds))
    return delay


def from_receipt(receipt: Receipt, *, reconciled: bool = False) -> Outcome:
    """A platform answer (publish or check) → the publication's next state."""
    extra = dict(receipt.extra)
    if receipt.state is ReceiptState.PUBLISHED:
        return Outcome(P.PUBLISHED, receipt.remote_id, receipt.url, extra=extra)
    if receipt.state is ReceiptState.PENDING:
        return Outcome(P.PENDING, receipt.remote_id, receipt.url, extra=extra)
    if receipt.state is ReceiptState.FAILED:
        detail = receipt.detail or "平台处理失败"
        return Outcome(
            P.FAILED,
            receipt.remote_id,
            receipt.url,
            error=f"平台未发布：{detail}",
            notify="publication_rejected",
            extra=extra,
        )
    why = "崩溃后无法确认是否已发布" if reconciled else "平台状态无法确认"
    return Outcome(
        P.NEEDS_CHECK,
        receipt.remote_id,
        receipt.url,
        error=f"{why}：{receipt.detail or '未知'}",
        notify="publication_needs_check",
        extra=extra,
    )


def from_error(exc: BaseException, attempts: int, policy: RetryPolicy, now: datetime) -> Outcome:
    """A failed publish call → retry later, fail for good, or ask a human.

    Transient and AuthExpired are retried with backoff until ``max_attempts``; Rejected and
    NotSupported fail at once (retrying will not help); anything unexpected may have happened
    after the platform did the work, so it is never retried blindly: ``needs_check``."""
    if isinstance(exc, Transient | AuthExpired):
        error = f"暂时失败（第 {attempts} 次）：{exc}"
        if attempts >= policy.max_attempts:
            return Outcome(
                P.FAILED,
                error=f"重试 {attempts} 次后仍失败：{exc}",
                notify="publication_failed",
            )
        retry_after = exc.retry_after if isinstance(exc, Transient) else None
        delay = backoff_seconds(attempts, policy, retry_after)
        extra = {"ambiguous": "1"} if is_ambiguous(exc) else {}
        return Outcome(
            P.SCHEDULED, error=error, retry_at=now + timedelta(seconds=delay), extra=extra
        )
    if isinstance(exc, Rejected | NotSupported):
        return Outcome(P.FAILED, error=f"平台拒绝：{exc}", notify="publication_failed")
    return Outcome(
        P.NEEDS_CHECK,
        error=f"发布过程中出现意外错误（{type(exc).__name__}），需人工核对是否已发布",
        notify="publication_needs_check",
    )


def is_ambiguous(exc: BaseException) -> bool:
    """A timeout or a broken connection: the request may have reached the platform."""
    return isinstance(exc, Transient) and str(exc.code) in AMBIGUOUS_CODES


def hash_mismatch(revision: Revision, current_hash: str, approved: Iterable[str | None]) -> bool:
    """True when the content is not exactly what every stage approved (先审后发)."""
    pinned = list(approved)
    if not pinned or any(h is None for h in pinned):
        return True
    return any(h != revision.content_hash for h in pinned) or current_hash != revision.content_hash


def lateness(due_at: datetime, accepted_at: datetime) -> float:
    return max(0.0, (accepted_at - due_at).total_seconds())


def receipt_of(pub: Publication) -> Receipt | None:
    """What we recorded about an earlier attempt, as the channel's ``check`` wants it."""
    extra = dict(pub.receipt_extra or {})
    if not pub.remote_id and not extra.get("publish_id") and not extra.get("msg_id"):
        return None
    state = ReceiptState.PENDING if pub.status != P.PUBLISHED else ReceiptState.PUBLISHED
    return Receipt(state, remote_id=pub.remote_id, url=pub.url, extra=extra)


def build_post(
    pub: Publication,
    revision: Revision,
    account_key: str,
    *,
    push_to_followers: bool = False,
    link_url: str | None = None,
    default_cover: str | None = None,
) -> Post:
    return Post(
        publication_id=pub.id,
        account_key=account_key,
        title=revision.title,
        body_markdown=revision.body,
        kind=revision.kind,
        author=revision.author_name,
        digest=revision.digest,
        source=revision.source,
        cover_path=revision.cover_path or default_cover,
        link_url=link_url,
        idempotency_key=pub.idempotency_key,
        push_to_followers=push_to_followers,
    )


def dormant_threshold(quiet_days: float, thresholds: Iterable[int]) -> int | None:
    """The highest alert threshold an account's quiet spell has crossed (7/10/14 days).

    Only the highest is reported: days only grow within a spell, so each threshold fires at
    most once, and a service that was down for a fortnight does not send three alerts at once."""
    crossed = [t for t in thresholds if quiet_days >= t]
    return max(crossed) if crossed else None
