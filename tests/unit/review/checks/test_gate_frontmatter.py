"""Draft files: TOML front matter between +++ lines, title from the first heading, errors by line."""

from __future__ import annotations

import pytest

from review.frontmatter import FrontMatterError, parse_draft_file


def test_front_matter_and_body() -> None:
    meta, body = parse_draft_file(
        '+++\ntitle = "低保通知"\nkind = "通知公告"\ncover = "a.jpg"\n+++\n正文\n'
    )
    assert meta == {"title": "低保通知", "kind": "通知公告", "cover": "a.jpg"}
    assert body == "正文"


def test_title_from_first_heading_when_missing() -> None:
    meta, body = parse_draft_file("\ufeff前言\n# 临时救助申请指南\n\n正文内容\n## 小节\n")
    assert meta["title"] == "临时救助申请指南"
    assert "# 临时救助" not in body and "## 小节" in body
    meta, _ = parse_draft_file('+++\ntitle = "标题"\n+++\n# 另一个\n')
    assert meta["title"] == "标题"


def test_no_front_matter_no_heading() -> None:
    assert parse_draft_file("只有正文") == ({}, "只有正文")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('+++\ntitle = "x"\n', 1, "结束"),
        ('+++\ntitle = "x"\nkind = \n+++\n', 3, "TOML"),
        ("+++\ntitle = 3\n+++\n", 2, "title"),
        ('+++\ntitle = "x"\nkind = "八卦"\n+++\n', 3, "稿件类型"),
        ("+++\ncover = 1\n+++\n", 2, "cover"),
    ],
)
def test_errors_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(FrontMatterError) as err:
        parse_draft_file(text)
    assert err.value.line == line
    assert words in err.value.message and f"第 {line} 行" in str(err.value)
