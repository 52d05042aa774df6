"""``newmedia wording`` end to end on the embedded database: the 办事指南 import, a 口径 entry
written, refused to its author, approved along its chain, searched, shown with its history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_support import run_cli

TEXT = "申请低保须同时具备本市户籍、家庭人均收入低于当地低保标准、家庭财产符合规定。"


def test_a_wording_is_written_reviewed_and_found(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "wording", "import-guide")
    assert code == 0 and "已导入 5 条办事指南" in out
    code, out, _ = run_cli(capsys, "wording", "import-guide")
    assert code == 0 and "均已在口径库中" in out
    code, out, _ = run_cli(
        capsys, "wording", "new", "--as", "zhao_min", "--title", "低保申请条件",
        "--text", TEXT, "--keywords", "低保,最低生活保障", "--submit",
    )  # fmt: skip
    assert code == 0 and "已新建口径6" in out and "待处室审核" in out
    code, _, err = run_cli(capsys, "wording", "approve", "6", "--as", "zhao_min")
    assert code != 0 and "不能审核自己撰写或提交的口径版本" in err
    for person in ("li_na", "chen_jing", "liu_yang"):
        code, out, err = run_cli(capsys, "wording", "approve", "6", "--as", person)
        assert code == 0, err
    assert "现已生效" in out
    code, out, _ = run_cli(capsys, "wording", "search", "低保 条件", "--kind", "口径", "--json")
    found = json.loads(out)
    assert code == 0 and [e["id"] for e in found] == [6] and found[0]["text"] == TEXT
    code, out, _ = run_cli(capsys, "wording", "show", "6", "--json")
    shown = json.loads(out)
    assert [a["stage"] for a in shown["versions"][0]["approvals"]] == [
        "处室审核",
        "保密审查",
        "法制审核",
    ]
    code, out, _ = run_cli(capsys, "wording", "list", "--kind", "办事指南", "--json")
    assert code == 0 and len(json.loads(out)) == 5
