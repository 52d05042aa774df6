"""A home address written down to the door without 室 (3栋2单元501, 3幢501, 幸福小区5-2-501):
the gate flags it, the masking cuts it to the community — in a draft, in a public answer's
question — and numbers that count something after a building (3栋1200平方米) pass."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from review.checks import GateInput, Verdict, check_reply_text, default_lexicons, run_gate
from review.checks.deid_masking import apply_masking
from review.checks.personal_data import find_numbers
from review.public_answer_text import deidentified, post

ADDRESS = "幸福小区3栋2单元501"
QUESTION = f"我住在朝阳区红旗街道{ADDRESS}，楼道灯坏了一个月了"
WHEN = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "door"),
    [
        (f"住在朝阳区红旗街道{ADDRESS}", "3栋2单元501"),
        ("请到幸福小区3栋2单元501找社区网格员", "3栋2单元501"),
        ("家住幸福小区3号楼2单元501，子女在外地", "3号楼2单元501"),
        ("家住幸福小区3幢501。", "3幢501"),
        ("家住幸福小区2单元501号", "2单元501号"),
        ("家住幸福小区5-2-501，独居", "5-2-501"),
        ("住址：桃源路88号3号楼2单元501", "88号3号楼2单元501"),
    ],
)
def test_a_door_without_a_room_mark_is_flagged_and_cut_to_the_community(
    text: str, door: str
) -> None:
    lex = default_lexicons().personal
    [hit] = find_numbers(text, lex)
    assert hit.kind == "家庭住址（到户）" and text[hit.start : hit.end] == door
    masked = apply_masking(text, lex)
    assert masked.changes == ((door, ""),) and door not in masked.text
    assert "幸福小区" in masked.text or "桃源路" in masked.text
    report = run_gate(GateInput("公告", text, kind="通知公告"), limits={})
    pd = report.get("personal_data")
    assert pd is not None and pd.verdict is Verdict.BLOCK and "家庭住址（到户）" in pd.reason
    assert apply_masking(masked.text, lex).changes == ()  # twice changes nothing more


@pytest.mark.parametrize(
    "text",
    [
        "第3栋楼已完工",
        "小区共建成3栋1200平方米的养老服务用房",
        "1号楼2023年竣工，2单元30户已入住",
        "新建住宅12栋300套，5栋1,200人",
        "1号楼500余平方米",
        "会议在市民政局1号楼502会议室召开",
        "幸福小区2026-12-03开展活动",
        "每栋楼15层，3栋2单元共120户",
    ],
)
def test_numbers_that_count_after_a_building_pass(text: str) -> None:
    assert find_numbers(text, default_lexicons().personal) == []
    pd = run_gate(GateInput("工作动态", text), limits={}).get("personal_data")
    assert pd is not None and pd.verdict is Verdict.PASS


def test_a_public_answer_question_loses_the_door_and_an_answer_with_one_is_refused() -> None:
    masked = deidentified(QUESTION)
    assert "3栋2单元501" not in masked.text and "红旗街道幸福小区，楼道灯" in masked.text
    assert masked.changed
    answer = "请到幸福小区3栋2单元501找社区网格员"
    report = check_reply_text(answer)  # the answer's own check, before any post is written
    assert report.verdict is Verdict.BLOCK


def test_the_gate_blocks_a_public_answer_post_that_still_holds_a_door() -> None:
    """The masking counted nothing in the question, the answer names a door: the footer
    「已隐去…住址」 would be false, so the post must not pass the gate."""
    p = post(
        15, "楼道灯坏了一个月了", "请到幸福小区3栋2单元501找社区网格员",
        received_at=WHEN, department="基层政权处", answered_on=WHEN,
    )  # fmt: skip
    assert p.masked == 0 and "已隐去姓名、电话、住址" in p.body
    report = run_gate(GateInput(p.title, p.body, kind="留言答复"), limits={})
    pd = report.get("personal_data")
    assert report.verdict is Verdict.BLOCK
    assert pd is not None and pd.verdict is Verdict.BLOCK and "家庭住址（到户）" in pd.reason
