"""What "not found" leads to (pure): a complete search sends again by itself where that cannot
publish twice; otherwise a person, told the searched window. And how far back a search must go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels.base import Absence, Receipt, ReceiptState, Search
from review.models import Publication, Revision
from review.publishing import rules, searched
from review.states import PublicationStatus as P

SENT = datetime(2026, 12, 2, 2, 5, tzinfo=UTC)  # 10:05 Beijing time
BACK = datetime(2026, 12, 2, 2, 3, tzinfo=UTC)  # 10:03


def miss(absence: Absence, *, complete: bool, items: int = 137, pages: int = 2) -> Receipt:
    search = Search(absence, complete, items=items, pages=pages, back_to=BACK, since=SENT)
    return Receipt(ReceiptState.UNKNOWN, detail="未找到", search=search)


@pytest.mark.parametrize("absence", [Absence.NOT_PUBLISHED, Absence.IDEMPOTENT])
def test_not_found_after_a_complete_search_is_sent_again_by_itself(absence: Absence) -> None:
    for outcome in (
        rules.from_receipt(miss(absence, complete=True), reconciled=True),
        rules.after_ambiguous(miss(absence, complete=True)),
    ):
        assert (outcome.status, outcome.notify, outcome.retry_at) == (P.SCHEDULED, None, None)
        # the stored search replaces the ambiguous flag: the next attempt publishes
        assert outcome.extra[searched.COMPLETE] == "1" and rules.AMBIGUOUS not in outcome.extra
        assert "自动重新发送" in (outcome.error or "")


def test_the_complete_window_is_named_for_staff() -> None:
    outcome = rules.from_receipt(miss(Absence.NOT_PUBLISHED, complete=True), reconciled=True)
    assert "已查至 2026-12-02 10:03（共 137 条），未找到" in (outcome.error or "")


def test_an_incomplete_search_goes_to_a_person_with_the_window() -> None:
    receipt = miss(Absence.NOT_PUBLISHED, complete=False, items=1000, pages=10)
    for outcome in (
        rules.from_receipt(receipt, reconciled=True),
        rules.after_ambiguous(receipt),
    ):
        assert (outcome.status, outcome.notify) == (P.NEEDS_CHECK, "publication_needs_check")
        assert (
            "只查了最近 10 页（1000 条，最早 2026-12-02 10:03），未查到发送时间 2026-12-02 10:05"
            in (outcome.error or "")
        )
        assert outcome.extra[searched.COMPLETE] == "0" and outcome.extra["unconfirmed"] == "1"


def test_a_wechat_submit_not_found_may_still_be_processing() -> None:
    outcome = rules.after_ambiguous(miss(Absence.MAY_BE_PROCESSING, complete=True))
    assert outcome.status is P.NEEDS_CHECK
    assert "已查至 2026-12-02 10:03" in (outcome.error or "")
    assert "仍在处理中" in (outcome.error or "")


def test_an_old_mass_send_is_past_the_platform_keying_it() -> None:
    outcome = rules.after_ambiguous(miss(Absence.IDEMPOTENT, complete=False, items=0, pages=0))
    assert outcome.status is P.NEEDS_CHECK and "clientmsgid" not in (outcome.error or "")
    assert "早于平台记住群发编号的时限" in (outcome.error or "")


def test_without_a_search_nothing_changes() -> None:
    unknown = Receipt(ReceiptState.UNKNOWN, detail="未配置发布通道")
    assert rules.from_receipt(unknown, reconciled=True).status is P.NEEDS_CHECK
    assert rules.after_ambiguous(unknown).status is P.NEEDS_CHECK


def test_the_warning_for_a_person_about_to_send_again() -> None:
    incomplete = miss(Absence.NOT_PUBLISHED, complete=False, items=1000, pages=10).search
    assert incomplete is not None
    assert searched.incomplete_warning(searched.as_extra(incomplete)) == (
        "注意：上次核对只查到 2026-12-02 10:03（1000 条），未查到发送时间 2026-12-02 10:05，"
        "重发可能造成重复发布。"
    )
    complete = miss(Absence.NOT_PUBLISHED, complete=True).search
    assert complete is not None
    assert searched.incomplete_warning(searched.as_extra(complete)) is None
    assert searched.incomplete_warning({}) is None


def test_a_search_goes_back_to_the_first_due_time_of_the_row() -> None:
    first = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    pub = Publication(id=1, idempotency_key="k", due_at=first)
    assert rules.sent_after(pub) == first
    # a retry moved due_at on and kept the first due time: calls may have started from it
    pub.due_at, pub.scheduled_for = first + timedelta(minutes=30), first
    assert rules.sent_after(pub) == first
    # staff brought it forward ("publish now") after it was first scheduled
    pub.due_at, pub.scheduled_for = first - timedelta(hours=1), first
    assert rules.sent_after(pub) == first - timedelta(hours=1)
    rev = Revision(title="t", body="b", kind="工作动态", author_name="", digest="", source=None)
    assert rules.build_post(pub, rev, "acc").sent_after == first - timedelta(hours=1)
