"""The pure publishing decisions: backoff, outcomes from receipts and errors, dormant clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from channels.base import AuthExpired, NotSupported, Receipt, ReceiptState, Rejected, Transient
from review import publishing as rules
from review.states import PublicationStatus as P

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
POLICY = rules.RetryPolicy(max_attempts=4, base_seconds=30, cap_seconds=100)


def test_backoff_doubles_and_is_capped() -> None:
    assert [rules.backoff_seconds(n, POLICY) for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
    assert rules.backoff_seconds(1, POLICY, retry_after=80) == 80


def test_transient_retries_then_fails() -> None:
    retry = rules.from_error(Transient("busy", code=-1), 2, POLICY, NOW)
    assert retry.status is P.SCHEDULED and retry.retry_at == NOW + timedelta(seconds=60)
    assert retry.notify is None and "ambiguous" not in retry.extra
    final = rules.from_error(AuthExpired("token"), 4, POLICY, NOW)
    assert (final.status, final.notify) == (P.FAILED, "publication_failed")


def test_timeouts_are_marked_ambiguous() -> None:
    out = rules.from_error(Transient("t", code="timeout"), 1, POLICY, NOW)
    assert out.extra == {"ambiguous": "1"}


def test_rejected_and_unexpected_errors() -> None:
    assert rules.from_error(Rejected("no", code=53503), 1, POLICY, NOW).status is P.FAILED
    assert rules.from_error(NotSupported("no"), 1, POLICY, NOW).status is P.FAILED
    bug = rules.from_error(KeyError("x"), 1, POLICY, NOW)
    assert (bug.status, bug.notify) == (P.NEEDS_CHECK, "publication_needs_check")


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
