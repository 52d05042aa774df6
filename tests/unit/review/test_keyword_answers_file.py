"""The 办事指南 answers file is read again when the bureau edits it; a broken edit changes nothing."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from review.keyword_answers import KeywordAnswersFile, load_keyword_answers

ONE = """
fillers = ["请问"]
[[entry]]
title = "低保申请材料"
keys = ["低保材料"]
answer = "第一版答复"
"""


def write(path: Path, text: str, mtime_ns: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))  # a distinct mtime even on a coarse clock


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def answer(f: KeywordAnswersFile, text: str) -> str | None:
    hit = f.current().match(text)
    return hit.answer if hit else None


def test_an_edit_applies_after_the_check_interval(tmp_path: Path) -> None:
    path, clock = tmp_path / "answers.toml", Clock()
    write(path, ONE, 1_000_000_000)
    f = KeywordAnswersFile(path, check_s=5, clock=clock)
    assert answer(f, "请问低保材料") == "第一版答复"
    write(path, ONE.replace("第一版答复", "第二版答复") + '''
[[entry]]
title = "高龄津贴"
keys = ["高龄津贴"]
answer = "新增的一条"
''', 2_000_000_000)  # fmt: skip
    clock.now += 4  # not yet looked at again: one stat per interval, not per message
    assert answer(f, "请问低保材料") == "第一版答复"
    clock.now += 2
    assert answer(f, "请问低保材料") == "第二版答复"
    assert answer(f, "高龄津贴") == "新增的一条"
    assert f.reloads == 1
    clock.now += 10  # unchanged file: nothing read again
    assert answer(f, "高龄津贴") == "新增的一条" and f.reloads == 1


@pytest.mark.parametrize(
    "broken",
    ['[[entry]]\ntitle = "缺少答复"\n', "这不是 TOML = = ", None],
    ids=["entry without answer", "not TOML", "file deleted"],
)
def test_a_broken_edit_keeps_the_previous_answers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, broken: str | None
) -> None:
    path, clock = tmp_path / "answers.toml", Clock()
    write(path, ONE, 1_000_000_000)
    f = KeywordAnswersFile(path, check_s=1, clock=clock)
    if broken is None:
        path.unlink()
    else:
        write(path, broken, 3_000_000_000)
    clock.now += 2
    with caplog.at_level(logging.WARNING, logger="newmedia.inbox.keywords"):
        assert answer(f, "低保材料") == "第一版答复"
    assert f.reloads == 0
    if broken is not None:
        assert "not reloaded, the previous answers stay" in caplog.text
        assert "第一版答复" not in caplog.text


def test_a_broken_file_at_start_up_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "answers.toml"
    write(path, '[[entry]]\ntitle = "缺少答复"\n', 1_000_000_000)
    with pytest.raises(ValueError, match="缺少 title 或 answer"):
        KeywordAnswersFile(path)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[entry]\ntitle = "a"\nanswer = "b"\n', "[[entry]]"),
        ('[[entry]]\ntitle = "a"\nanswer = "b"\nkeys = "低保材料"\n', "keys 应为字符串列表"),
        ('fillers = "请问"\n[[entry]]\ntitle = "a"\nanswer = "b"\n', "fillers 应为字符串列表"),
        ('[[entry]]\ntitle = 5\nanswer = "b"\n', "缺少 title 或 answer"),
    ],
    ids=["single brackets", "keys a string", "fillers a string", "title not text"],
)
def test_wrong_shapes_are_named_not_crashed_on(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "answers.toml"
    write(path, text, 1_000_000_000)
    with pytest.raises(ValueError, match=re.escape(says)):
        load_keyword_answers(path)


def test_a_half_saved_file_is_refused_then_the_finished_save_is_taken(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path, clock = tmp_path / "answers.toml", Clock()
    write(path, ONE, 1_000_000_000)
    f = KeywordAnswersFile(path, check_s=1, clock=clock)
    write(path, "", 2_000_000_000)  # the editor truncated the file and has not written yet
    clock.now += 2
    with caplog.at_level(logging.WARNING, logger="newmedia.inbox.keywords"):
        assert answer(f, "低保材料") == "第一版答复"
        clock.now += 2
        assert answer(f, "低保材料") == "第一版答复"
    assert caplog.text.count("not reloaded") == 1  # logged once per broken version
    write(path, ONE.replace("第一版答复", "保存完整"), 2_000_000_000)  # same mtime tick
    clock.now += 2
    assert answer(f, "低保材料") == "保存完整"
