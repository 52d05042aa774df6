"""谁起草、谁解读 as a pure rule: the deadline counts working days (a weekend is skipped), and a
published 规范性文件 is due, overdue, late or done by its first published 政策解读."""

from __future__ import annotations

from datetime import datetime

from review.interpretations import (
    DONE,
    DUE,
    LATE,
    OVERDUE,
    Interpretation,
    Normative,
    Policy,
    assess,
    outstanding,
)
from review.timefmt import SHANGHAI

POLICY = Policy(working_days=3)


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


#: Friday 2026-11-27: three working days are Mon 30th, Tue 1st, Wed 2nd → due Wed 23:59:59
DOC = Normative(1, "长春市最低生活保障审核确认办法", 7, "办公室", bj("2026-11-27 10:00"))


def test_deadline_counts_working_days_past_the_weekend() -> None:
    a = assess(DOC, bj("2026-11-30 09:00"), POLICY)
    assert a.deadline == bj("2026-12-02 23:59:59") and a.state == DUE
    assert a.evidence[-1] == "解读时限 12月2日 23:59（3 个工作日）"
    assert "尚无政策解读稿件" in a.evidence[1]


def test_overdue_once_the_working_days_have_passed_with_a_draft_unpublished() -> None:
    doc = Normative(**{**DOC.__dict__, "interpretations": (Interpretation(2, "解读", None),)})
    a = assess(doc, bj("2026-12-03 00:00"), POLICY)
    assert a.state == OVERDUE and "政策解读草稿 #2 尚未发布" in a.evidence[1]


def test_in_time_late_and_the_first_published_counts() -> None:
    on_time = Interpretation(3, "图解", bj("2026-12-02 18:00"))
    later = Interpretation(2, "解读", bj("2026-12-04 09:00"))
    doc = Normative(**{**DOC.__dict__, "interpretations": (later, on_time)})
    a = assess(doc, bj("2026-12-10 09:00"), POLICY)
    assert (a.state, a.first) == (DONE, on_time)
    late = Normative(**{**DOC.__dict__, "interpretations": (later,)})
    assert assess(late, bj("2026-12-10 09:00"), POLICY).state == LATE
    # as of before the 解读 went out, it was still due
    assert assess(late, bj("2026-12-01 09:00"), POLICY).state == DUE


def test_outstanding_leaves_out_the_done_and_the_not_yet_published() -> None:
    done = Normative(
        **{
            **DOC.__dict__,
            "draft_id": 5,
            "interpretations": (Interpretation(6, "解读", bj("2026-11-30 10:00")),),
        }
    )
    future = Normative(**{**DOC.__dict__, "draft_id": 9, "published_at": bj("2026-12-20 10:00")})
    found = outstanding([DOC, done, future], bj("2026-12-03 09:00"), POLICY)
    assert [(a.doc.draft_id, a.state) for a in found] == [(1, OVERDUE)]
