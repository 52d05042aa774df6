"""Routing rules: topic classification, hot flags, departments, keyword answers, quick scope."""

from __future__ import annotations

import pytest

from review.keyword_answers import default_keyword_answers
from review.quick_scope import default_quick_scope
from review.routing import classify, department_for


@pytest.mark.parametrize(
    ("text", "topic", "hot"),
    [
        ("我妈妈住的养老院最近伙食很差，护工态度也不好", "养老服务", True),
        ("我们村有个孤儿没人照顾，能申请基本生活费吗", "儿童福利与未成年人保护", True),
        ("低保金这个月为什么没有到账", "社会救助", False),
        ("想了解一下公益性公墓的价格和节地生态安葬政策", "殡葬管理", False),
        ("我家楼下有位老人独居，家里的燃气泄漏了很危险", "养老服务", True),
        ("你们好", "民政综合", False),
    ],
)
def test_classify(text: str, topic: str, hot: bool) -> None:
    result = classify(text)
    assert (result.topic, result.hot) == (topic, hot)


def test_outside_duties_points_elsewhere() -> None:
    result = classify("我的养老金这个月少发了，社保卡也用不了")
    assert result.topic == "民政综合" and result.elsewhere == "人社"
    assert "人力资源和社会保障" in (result.elsewhere_to or "")


def test_department_for_topic_then_default_then_owner() -> None:
    depts = [(1, "民政综合"), (2, "社会救助 流浪乞讨人员救助"), (3, "养老服务 老龄工作")]
    assert department_for("老龄工作", depts, 9) == 3
    assert department_for("婚姻登记", depts, 9) == 1
    assert department_for("婚姻登记", [(2, "社会救助")], 9) == 9


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("请问低保申请需要什么材料？", "低保申请材料"),
        ("婚姻登记预约", "婚姻登记预约"),
        ("高龄津贴怎么领", "高龄津贴"),
        ("我家低保被取消了，怎么回事", None),
        ("", None),
    ],
)
def test_keyword_answers(text: str, title: str | None) -> None:
    hit = default_keyword_answers().match(text)
    assert (hit.title if hit else None) == title


def test_quick_scope() -> None:
    scope = default_quick_scope()
    found = scope.outside("交警把我的电动车扣了")
    assert found is not None and "公安" in found.to
    assert scope.outside("申请低保需要养老金证明吗") is None  # a 民政 word vetoes
    assert scope.outside("你好") is None
