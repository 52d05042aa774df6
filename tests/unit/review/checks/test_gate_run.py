"""The gate as a whole: verdict order, worst-of, report shape, normalisation spans, lexicon load."""

from __future__ import annotations

import json
from pathlib import Path

from review.checks import (
    CHECK_NAMES,
    CheckResult,
    GateInput,
    GateReport,
    Verdict,
    default_lexicons,
    load_lexicons,
    normalize,
    run_gate,
)
from review.checks.lexicons import DATA_DIR


def test_verdicts_are_ordered() -> None:
    assert Verdict.PASS < Verdict.WARN < Verdict.BLOCK
    assert max([Verdict.WARN, Verdict.BLOCK, Verdict.PASS]) is Verdict.BLOCK
    assert Verdict.worst([]) is Verdict.PASS
    assert Verdict("warn") is Verdict.WARN and str(Verdict.BLOCK) == "block"


def test_overall_is_the_worst_check() -> None:
    clean = run_gate(
        GateInput("最低生活保障标准调整", "城乡低保标准提高，临时救助及时跟进。"), limits={}
    )
    assert clean.verdict is Verdict.PASS
    assert tuple(c.name for c in clean.checks) == CHECK_NAMES
    warn = run_gate(
        GateInput("走访低保户", "走访慰问城乡低保户，落实最低生活保障政策。"), limits={}
    )
    assert warn.verdict is Verdict.WARN and warn.get("wording") is not None
    block = run_gate(GateInput("低保", "低保对象张伟，电话13812345678，最低生活保障"), limits={})
    assert block.verdict is Verdict.BLOCK


def test_report_json_shape() -> None:
    report = run_gate(GateInput("低保", "低保对象电话13812345678，最低生活保障"), limits={})
    doc = report.to_json()
    json.dumps(doc, ensure_ascii=False)
    assert doc["verdict"] == "block"
    check = next(c for c in doc["checks"] if c["name"] == "personal_data")
    assert {"name", "verdict", "reason", "evidence"} <= check.keys()
    assert check["evidence"][0] == {"text": "13812345678", "start": 6, "end": 17, "field": "body"}


def test_dataclasses_are_frozen_and_hashable() -> None:
    r = CheckResult("x", Verdict.PASS, "ok")
    assert hash(r) == hash(CheckResult("x", Verdict.PASS, "ok"))
    assert isinstance(GateReport(Verdict.PASS, (r,)).to_json()["checks"], list)


def test_normalize_maps_spans_back() -> None:
    text = "<p>ＡＢ&amp;臨時救助</p>"
    n = normalize(text)
    assert n.text == "AB&临时救助"
    i = n.text.index("临时救助")
    a, b = n.span(i, i + 4)
    assert text[a:b] == "臨時救助"


def test_lexicons_load_from_a_directory_and_are_cached(tmp_path: Path) -> None:
    assert default_lexicons() is default_lexicons()
    for f in DATA_DIR.iterdir():
        if f.suffix in {".toml", ".txt"}:
            (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "public_numbers.txt").write_text("0431-85551234  # 测试\n", encoding="utf-8")
    lex = load_lexicons(tmp_path)
    r = run_gate(GateInput("低保", "最低生活保障咨询0431-85551234"), limits={}, lexicons=lex).get(
        "personal_data"
    )
    assert r is not None and r.verdict is Verdict.PASS
