"""A public answer's words (issue 14): the citizen's question de-identified — the people they
name, numbers, addresses below the community — and the 留言答复 post around it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from review.public_answer_text import deidentified, post

WHEN = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("question", "gone", "kept"),
    [
        ("我叫张桂兰，电话13912345678，高龄津贴没批下来", ["张桂兰", "13912345678"], ["张*兰"]),
        ("我父亲王德福住的养老院暖气不热", ["王德福"], ["王*福", "养老院暖气不热"]),
        ("刘秀英老人反映养老院暖气不热", ["刘秀英"], ["刘*英老人"]),
        ("本人李建国，身份证220102195503041234，低保金没到账", ["李建国", "195503041234"], []),
        ("我家住在朝阳区幸福小区3栋2单元501室，暖气不热", ["3栋2单元501室"], ["幸福小区"]),
    ],
)
def test_the_question_is_de_identified(question: str, gone: list[str], kept: list[str]) -> None:
    masked = deidentified(question).text
    for text in gone:
        assert text not in masked
    for text in kept:
        assert text in masked


def test_places_and_words_are_not_taken_for_names() -> None:
    question = "我是长春市民，想问孤儿基本生活费标准是多少"
    assert deidentified(question).text == question


def test_the_post_carries_ticket_masked_question_and_answer() -> None:
    p = post(
        12, "我叫张桂兰，电话13912345678，高龄津贴没到账", "您好，月底发放。",
        received_at=WHEN, department="养老服务处", answered_on=WHEN,
    )  # fmt: skip
    assert p.title == "留言答复·受理编号#12" and p.masked == 2
    assert "受理编号#12" in p.body and "2026年12月4日" in p.body and "养老服务处答复" in p.body
    assert "张*兰" in p.body and "139****5678" in p.body and "您好，月底发放。" in p.body
    assert "张桂兰" not in p.body and "13912345678" not in p.body
