"""错敏词: the lexicon is loaded, entries block or warn, exceptions and longest match apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.checks import GateInput, LexiconError, Verdict, default_lexicons, run_gate
from review.checks.wording import find_wording, parse_wording


def wd(body: str, title: str = "工作动态"):
    r = run_gate(GateInput(title, body), limits={}).get("wording")
    assert r is not None
    return r


def test_lexicon_has_enough_entries() -> None:
    entries = default_lexicons().wording.entries
    assert len(entries) >= 40
    assert {e.level for e in entries.values()} == {Verdict.BLOCK, Verdict.WARN}
    assert all(e.right for e in entries.values())


@pytest.mark.parametrize(
    ("body", "verdict", "fix"),
    [
        ("为残废人发放补贴", Verdict.BLOCK, "残疾人"),
        ("走访慰问低保户", Verdict.WARN, "低保对象"),
        ("看望孤寡老人", Verdict.WARN, "特困老年人"),
        ("为80岁以上老人发放高龄养老金", Verdict.BLOCK, "高龄津贴"),
        ("老龄工作由卫健委老龄办负责", Verdict.BLOCK, "2023年起设在民政部门"),
        ("截止目前已发放", Verdict.WARN, "截至"),
        ("购买福利彩票稳赚不赔", Verdict.BLOCK, "删除"),
        ("為殘廢人發放補貼", Verdict.BLOCK, "残疾人"),  # traditional script
    ],
)
def test_entries(body: str, verdict: Verdict, fix: str) -> None:
    r = wd(body)
    assert r.verdict is verdict
    assert r.suggestion and fix in r.suggestion
    ev = r.evidence[0]
    assert body[ev.start : ev.end] == ev.text


def test_longest_entry_wins_and_exceptions_apply() -> None:
    lex = default_lexicons().wording
    hits = find_wording("残废军人", lex)
    assert [h[2].wrong for h in hits] == ["残废军人"]
    assert find_wording("背包中有水", lex) == []
    assert [h[2].wrong for h in find_wording("买彩票包中", lex)] == ["包中"]


def test_clean_text_passes() -> None:
    assert wd("为困难残疾人发放生活补贴，截至目前已覆盖全市").verdict is Verdict.PASS


def test_bad_lexicon_entry_is_reported_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="第 1 条"):
        parse_wording({"entry": [{"wrong": "x", "level": "maybe"}]})
