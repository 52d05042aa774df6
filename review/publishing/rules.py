"""What to do with a publication after a platform call: pure decisions, no I/O.

The engine (review/publishing/engine.py) claims rows, calls a channel with no transaction open,
and asks this module what the answer means: the next status, when to retry, whom to tell.
Keeping the decisions here makes the rules testable without a database or a platform.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from channels.base import (
    Absence,
    AuthExpired,
    NotSent,
    NotSupported,
    Post,
    Receipt,
    ReceiptState,
    Rejected,
    Search,
    Transient,
)
from review.models import Publication, Revision
from review.publishing import searched
from review.states import PublicationStatus as P

#: ``receipt_extra`` flag: the last attempt may have reached the platform; check before any resend
AMBIGUOUS = "ambiguous"
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
    if reconciled and receipt.search is not None:
        return after_miss(receipt, receipt.search, "崩溃后")
    why = "崩溃后无法确认是否已发布" if reconciled else "平台状态无法确认"
    return Outcome(
        P.NEEDS_CHECK,
        receipt.remote_id,
        receipt.url,
        error=f"{why}：{receipt.detail or '未知'}",
        notify="publication_needs_check",
        extra=extra,
    )


def from_error(
    exc: BaseException,
    attempts: int,
    policy: RetryPolicy,
    now: datetime,
    *,
    ambiguous: bool = False,
    started: bool = True,
) -> Outcome:
    """A failed publish (or check) call → retry later, fail for good, or ask a human.

    Transient and AuthExpired are retried with backoff until ``max_attempts``; Rejected and
    NotSupported fail at once (retrying will not help); anything unexpected may have happened
    after the platform did the work, so it is never retried blindly: ``needs_check``.
    ``ambiguous``: an earlier attempt may already be on the platform (this error came from the
    check made before any resend), so the row keeps its flag, and where it would otherwise
    give up it goes to a human instead: the post may be live."""
    unsure = ambiguous or is_ambiguous(exc)
    if isinstance(exc, Transient | AuthExpired):
        if attempts >= policy.max_attempts:
            if unsure:
                return _needs_check(f"重试 {attempts} 次后仍无法确认是否已发布：{exc}")
            return Outcome(
                P.FAILED,
                error=f"重试 {attempts} 次后仍失败：{exc}",
                notify="publication_failed",
            )
        error = f"暂时失败（第 {attempts} 次）：{exc}"
        retry_after = exc.retry_after if isinstance(exc, Transient) else None
        delay = backoff_seconds(attempts, policy, retry_after)
        extra = {AMBIGUOUS: "1"} if unsure else {}
        return Outcome(
            P.SCHEDULED, error=error, retry_at=now + timedelta(seconds=delay), extra=extra
        )
    if isinstance(exc, Rejected | NotSupported):
        if ambiguous:
            return _needs_check(f"上次发布结果不明，核对时平台拒绝：{exc}")
        return Outcome(P.FAILED, error=f"平台拒绝：{exc}", notify="publication_failed")
    if not started and not ambiguous:
        # ``started``: the row's sending mark committed, so the public call may have been made.
        # Before it (a database error, a bug in an upload or the draft) nothing can have gone
        # out: as safe to retry as a network error there, never a person's job
        name = type(exc).__name__
        if attempts >= policy.max_attempts:
            return Outcome(
                P.FAILED, error=f"重试 {attempts} 次后仍失败（未发出）：{name}",
                notify="publication_failed",
            )  # fmt: skip
        return Outcome(
            P.SCHEDULED, error=f"发布前出错（第 {attempts} 次，未发出）：{name}",
            retry_at=now + timedelta(seconds=backoff_seconds(attempts, policy, None)),
        )  # fmt: skip
    return _needs_check(f"发布过程中出现意外错误（{type(exc).__name__}），需人工核对是否已发布")


def after_ambiguous(receipt: Receipt) -> Outcome:
    """The check made instead of a resend: the platform's answer stands; without one, a human.

    UNKNOWN is never a licence to publish again: WeChat's lookup only sees finished articles, so
    a submit still being processed looks exactly like one that never arrived. A lookup that
    says what it searched is decided by ``after_miss``."""
    if receipt.state is ReceiptState.UNKNOWN and receipt.search is not None:
        return after_miss(receipt, receipt.search, "上次发布请求结果不明（超时、中断或平台出错），")
    if receipt.state is ReceiptState.UNKNOWN:
        return _needs_check(
            "上次发布请求结果不明（超时、中断或平台出错），平台上未能确认是否已发布，"
            f"为免重复发布不再自动重试：{receipt.detail or '未知'}"
        )
    outcome = from_receipt(receipt, reconciled=True)
    # the flag is settled: replace it with what the platform told us
    extra = {k: v for k, v in outcome.extra.items() if k != AMBIGUOUS} | {"checked": "1"}
    return replace(outcome, extra=extra)


def resend_after_miss(search: Search) -> bool:
    """May a post a lookup did not find be sent again by itself, with nobody asked?

    - Weibo ``statuses/share`` (``NOT_PUBLISHED``): the call publishes before it answers and
      returns the created status, so a status that got through is in the account's own
      timeline at once; a timeline searched back past the send time without it means the call
      never took effect. Yes, when the search was complete. (A second guard stays: Weibo
      refuses a repeat of the latest status, 20019, and the channel then looks again.)
    - WeChat mass send (``IDEMPOTENT``): the platform answers a repeated ``clientmsgid`` with
      the first msg_id (45065) instead of pushing again, while it remembers it (24 hours);
      the channel calls the search complete when the send time is inside that window. Yes then.
    - WeChat ``freepublish/submit`` (``MAY_BE_PROCESSING``): ``freepublish/batchget`` lists
      finished articles only, and ``freepublish/get`` needs the publish_id a lost answer never
      gave us; a job still processing (发布中) looks exactly like one never submitted. Never.

    An incomplete search (the page bound came before the send time) is never enough."""
    return search.complete and search.absence is not Absence.MAY_BE_PROCESSING


def after_miss(receipt: Receipt, search: Search, why: str) -> Outcome:
    """A lookup by key did not find the post: send again at once where that cannot publish
    twice (``resend_after_miss``), else a person, told exactly what was searched. Either way
    the search is kept in ``receipt_extra`` (``searched.as_extra``) for whoever settles it; the
    entries also replace an ambiguous flag, so the retry is a real publish."""
    extra = {k: v for k, v in receipt.extra.items() if k != AMBIGUOUS} | searched.as_extra(search)
    words = searched.describe(search)
    if resend_after_miss(search):
        sure = "，确认未发出" if search.absence is Absence.NOT_PUBLISHED else ""
        error = f"{why}核对：{words}{sure}，自动重新发送"
        return Outcome(P.SCHEDULED, error=error, extra=extra)
    if search.complete and search.absence is Absence.MAY_BE_PROCESSING:
        words += "（公众号发布可能仍在处理中，查不到不等于未发出）"
    return Outcome(
        P.NEEDS_CHECK,
        error=f"{why}无法确认是否已发布：{words}，为免重复发布不再自动重试",
        notify="publication_needs_check",
        extra=extra | {"unconfirmed": "1"},
    )


def _needs_check(error: str) -> Outcome:
    """A human must look. ``extra`` replaces the ambiguous flag, so that a person who settles it
    as "retry" (they looked: it is not live) gets a real publish, not another check."""
    return Outcome(
        P.NEEDS_CHECK, error=error, notify="publication_needs_check", extra={"unconfirmed": "1"}
    )


def is_ambiguous(exc: BaseException) -> bool:
    """A transport failure after the request may have left (timeout, broken connection, 5xx,
    garbled answer): it may have been carried out. ``NotSent`` never left or was a call that
    publishes nothing (the adapter's endpoint table: a WeChat draft or upload), and a platform's
    own error code (WeChat -1 系统繁忙, Weibo rate limits) is the platform saying it did not do
    it — both are safe to retry with backoff."""
    if not isinstance(exc, Transient) or isinstance(exc, NotSent):
        return False
    return not isinstance(exc.code, int)


def was_ambiguous(pub: Publication) -> bool:
    """The row's last attempt may be on the platform: check, never resend."""
    return bool((pub.receipt_extra or {}).get(AMBIGUOUS))


def carries_receipt(outcome: Outcome) -> bool:
    """The outcome holds something the platform returned (an id, a link, a publish_id)."""
    return bool(outcome.remote_id or outcome.url or outcome.extra) and outcome.status in (
        P.PUBLISHED,
        P.PENDING,
        P.FAILED,
    )


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


def sent_after(pub: Publication) -> datetime:
    """The earliest moment a platform call for ``pub`` may have started (``Post.sent_after``):
    how far back a lookup by key must search before "not found" can mean "not sent".

    Every claim needs ``due_at <= now``, and a retry moves ``due_at`` later while keeping the
    first due time in ``scheduled_for``; so no call of this row started before the earlier of
    the two. (``updated_at``, the claim time, cannot serve: the reconciler's own claim
    overwrites it before the lookup runs, which would cut the search short.) Once the row
    records the moment it was marked sending (``sending_at``), return that instead, but only
    for a row whose last attempt was a publish: after an ambiguous attempt the row went back to
    ``scheduled`` (mark cleared) and the next attempt, marked anew, is only a check, so keep
    this bound for ``was_ambiguous(pub)`` rows."""
    first = pub.scheduled_for
    return pub.due_at if first is None else min(first, pub.due_at)


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
        # an account's article page template names the draft (``article_url_template``)
        link_url=link_url.replace("{draft}", str(revision.draft_id)) if link_url else None,
        idempotency_key=pub.idempotency_key,
        push_to_followers=push_to_followers,
        sent_after=sent_after(pub),
    )


def dormant_threshold(quiet_days: float, thresholds: Iterable[int]) -> int | None:
    """The highest alert threshold an account's quiet spell has crossed (7/10/14 days).

    Only the highest is reported: days only grow within a spell, so each threshold fires at
    most once, and a service that was down for a fortnight does not send three alerts at once."""
    crossed = [t for t in thresholds if quiet_days >= t]
    return max(crossed) if crossed else None
