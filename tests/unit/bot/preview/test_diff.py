"""The changes a returned draft shows: sentence by sentence, counted, titles compared."""

from __future__ import annotations

from bot.preview.diff import compare, sentences


def test_sentences_split_after_chinese_stops_and_at_line_ends() -> None:
    body = "第一句。第二句！\n第三句没有句号\n\n“引语。”后面"
    assert sentences(body) == ["第一句。", "第二句！", "第三句没有句号", "“引语。”", "后面"]


def test_one_changed_sentence_in_a_long_paragraph_is_one_removal_and_one_addition() -> None:
    old = "甲事项已办结。乙事项正在办理。丙事项下周启动。"
    new = "甲事项已办结。乙事项已经办结。丙事项下周启动。丁事项列入计划。"
    diff = compare(1, "标题", old, 2, "新标题", new)
    assert [(c.op, c.text) for c in diff.changes] == [
        ("-", "乙事项正在办理。"),
        ("+", "乙事项已经办结。"),
        ("+", "丁事项列入计划。"),
    ]
    assert (diff.added, diff.removed, diff.title_from) == (2, 1, "标题")
    assert diff.summary() == "与你上次看过的第 1 版相比：标题已改，新增 2 句，删去 1 句。"


def test_no_change_says_so() -> None:
    diff = compare(3, "题", "一样。", 4, "题", "一样。")
    assert diff.changes == () and "未改动" in diff.summary()
