"""The pure publishing decisions: backoff, outcomes from receipts and errors, dormant clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels.base import (
    AuthExpired,
    NotSent,
    NotSupported,
    Receipt,
    ReceiptState,
    Rejected,
    Transient,
)
from review.publishing import rules
from review.states import PublicationStatus as P

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
POLICY = rules.RetryPolicy(max_attempts=4, base_seconds=30, cap_seconds=100)


def test_backoff_doubles_and_is_capped() -> None:
    assert [rules.backoff_seconds(n, POLICY) for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
    assert rules.backoff_seconds(1, POLICY, retry_after=80) == 80


def test_transient_retries_then_fails() -> None:
    retry = rules.from_error(NotSent("refused"), 2, POLICY, NOW)
    assert retry.status is P.SCHEDULED and retry.retry_at == NOW + timedelta(seconds=60)
    assert retry.notify is None and "ambiguous" not in retry.extra
    final = rules.from_error(AuthExpired("token"), 4, POLICY, NOW)
    assert (final.status, final.notify) == (P.FAILED, "publication_failed")


def test_timeouts_are_marked_ambiguous() -> None:
    out = rules.from_error(Transient("t", code="timeout"), 1, POLICY, NOW)
    assert out.extra == {"ambiguous": "1"}


@pytest.mark.parametrize("code", ["timeout", "network", "http 502", "bad json", None])
def test_a_transport_failure_may_have_reached_the_platform(code: object) -> None:
    exc = Transient("x", code=code)  # type: ignore[arg-type]
    assert rules.is_ambiguous(exc)
    assert rules.from_error(exc, 1, POLICY, NOW).extra == {"ambiguous": "1"}


@pytest.mark.parametrize("code", [-1, 10022])
def test_a_platform_error_code_means_not_done_and_is_retried(code: int) -> None:
    exc = Transient("busy", code=code)
    assert not rules.is_ambiguous(exc)
    out = rules.from_error(exc, 1, POLICY, NOW)
    assert out.status is P.SCHEDULED and "ambiguous" not in out.extra


def test_only_a_connection_never_made_is_safe_to_resend() -> None:
    assert not rules.is_ambiguous(NotSent("refused"))
    assert not rules.is_ambiguous(NotSent("refused", code="ECONNREFUSED"))
    assert not rules.is_ambiguous(AuthExpired("token"))
    # the error's kind decides, not a code string: a plain Transient may have been carried out
    assert rules.is_ambiguous(Transient("refused", code="connect"))


def test_ambiguous_at_the_attempt_cap_goes_to_a_human_not_failed() -> None:
    out = rules.from_error(Transient("t", code="http 503"), 4, POLICY, NOW)
    assert (out.status, out.notify) == (P.NEEDS_CHECK, "publication_needs_check")
    # an earlier unclear attempt keeps the row unsure even when the check fails cleanly
    out = rules.from_error(NotSent("t"), 4, POLICY, NOW, ambiguous=True)
    assert out.status is P.NEEDS_CHECK and "ambiguous" not in out.extra
    kept = rules.from_error(NotSent("t"), 2, POLICY, NOW, ambiguous=True)
    assert (kept.status, kept.extra) == (P.SCHEDULED, {"ambiguous": "1"})
    refused = rules.from_error(Rejected("ip"), 2, POLICY, NOW, ambiguous=True)
    assert refused.status is P.NEEDS_CHECK


def test_after_an_ambiguous_attempt_unknown_is_never_a_resend() -> None:
    out = rules.after_ambiguous(Receipt(ReceiptState.UNKNOWN, detail="未找到"))
    assert (out.status, out.notify) == (P.NEEDS_CHECK, "publication_needs_check")
    assert out.extra == {"unconfirmed": "1"}  # replaces the flag: a human "retry" may resend
    found = rules.after_ambiguous(Receipt(ReceiptState.PUBLISHED, "a", extra={"index": "1"}))
    assert found.status is P.PUBLISHED and found.extra == {"index": "1", "checked": "1"}


def test_rejected_and_unexpected_errors() -> None:
    assert rules.from_error(Rejected("no", code=53503), 1, POLICY, NOW).status is P.FAILED
    assert rules.from_error(NotSupported("no"), 1, POLICY, NOW).status is P.FAILED
    bug = rules.from_error(KeyError("x"), 1, POLICY, NOW)
    assert (bug.status, bug.notify) == (P.NEEDS_CHECK, "publication_needs_check")


def test_an_unexpected_error_before_the_sending_mark_is_retried_not_a_persons_job() -> None:
    """Before the mark committed nothing public was called (a database error at the mark, a bug
    in an upload): retried with backoff, failed after the last attempt — never needs_check."""
    early = rules.from_error(OSError("db"), 1, POLICY, NOW, started=False)
    assert early.status is P.SCHEDULED and early.retry_at is not None and early.retry_at > NOW
    assert "未发出" in (early.error or "") and early.notify is None
    last = rules.from_error(OSError("db"), POLICY.max_attempts, POLICY, NOW, started=False)
    assert (last.status, last.notify) == (P.FAILED, "publication_failed")
    # after an unclear attempt the row may be live whatever this call did: a human looks
    unclear = rules.from_error(OSError("db"), 1, POLICY, NOW, started=False, ambiguous=True)
    assert unclear.status is P.NEEDS_CHECK


def test_receipts_map_to_states() -> None:
    assert rules.from_receipt(Receipt(ReceiptState.PUBLISHED, "a")).status is P.PUBLISHED
    assert rules.from_receipt(Receipt(ReceiptState.PENDING, "p")).status is P.PENDING
    failed = rules.from_receipt(Receipt(ReceiptState.FAILED, detail="平台审核不通过"))
    assert (failed.status, failed.notify) == (P.FAILED, "publication_rejected")
    unknown = rules.from_receipt(Receipt(ReceiptState.UNKNOWN), reconciled=True)
    assert unknown.status is P.NEEDS_CHECK and "崩溃" in (unknown.error or "")


def test_dormant_threshold_reports_only_the_highest_crossed() -> None:
    assert rules.dormant_threshold(6.9, (7, 10, 14)) is None
    assert rules.dormant_threshold(7.0, (7, 10, 14)) == 7
    assert rules.dormant_threshold(20, (7, 10, 14)) == 14
