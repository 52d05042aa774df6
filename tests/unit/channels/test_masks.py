"""Masked names and numbers (张*国, 138****5678) reach readers as written, in both renderers."""

from __future__ import annotations

import pytest

from channels.masks import literal_masks
from channels.wechat.render import render_body
from channels.weibo.render import plain_text

BODY = "公示如下：张*国，男，67岁；刘*兰，女，72岁。联系电话138****5678，另139****1234。"


def test_two_masked_names_in_one_paragraph_are_not_emphasis() -> None:
    html = render_body(BODY, {})
    assert "<em>" not in html and "<strong>" not in html
    assert "张*国，男，67岁；刘*兰" in html and "138****5678" in html and "139****1234" in html


def test_the_weibo_text_and_the_chat_excerpt_keep_the_stars() -> None:
    assert plain_text(BODY) == BODY


@pytest.mark.parametrize(
    ("markdown", "html_part"),
    [
        ("这是**重点**内容。", "<strong>重点</strong>"),  # bold is not a mask
        ("**注意**：王*、李*已核实。", "<strong>注意</strong>：王*、李*已核实"),
        ("Please read *this* note.", "<em>this</em>"),  # not after a Chinese character
    ],
)
def test_bold_and_ordinary_emphasis_still_render(markdown: str, html_part: str) -> None:
    assert html_part in render_body(markdown, {})


def test_only_the_stars_change() -> None:
    assert literal_masks("张*国和欧阳*娜，卡号6222****1234") == (
        "张\\*国和欧阳\\*娜，卡号6222\\*\\*\\*\\*1234"
    )
    assert literal_masks("没有星号的正文。") == "没有星号的正文。"
