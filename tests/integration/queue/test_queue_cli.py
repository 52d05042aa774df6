"""``newmedia submit`` and ``newmedia review …`` end to end on the embedded SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_support import run_cli

run = run_cli


def test_review_chain_from_the_command_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(capsys, "draft", "new", "post.md", "--account", "ccmz_wechat", "--as", "zhao_min")[0]
        == 0
    )
    code, out, _ = run(capsys, "submit", "1", "--as", "zhao_min", "--json")
    assert code == 0 and json.loads(out)["tasks"] == [1]
    code, out, _ = run(capsys, "review", "queue", "--as", "li_na", "--json")
    queued = json.loads(out)
    assert [(t["id"], t["stage_name"], t["status"]) for t in queued] == [(1, "初审", "open")]
    code, out, _ = run(capsys, "review", "claim", "1", "--as", "li_na")
    assert code == 0 and "李娜 已认领任务 1" in out
    code, _, err = run(capsys, "review", "approve", "1", "--as", "wang_qiang")
    assert code == 2 and "已由 李娜 认领，只有认领人可以处理" in err
    code, out, _ = run(capsys, "review", "approve", "1", "--as", "li_na", "--note", "同意")
    assert code == 0 and "转入「终审」" in out
    # 终审 is the head's: 李娜 does not see it, 王强 does
    assert json.loads(run(capsys, "review", "queue", "--as", "li_na", "--json")[1]) == []
    code, out, _ = run(capsys, "review", "claim", "2", "--as", "wang_qiang")
    assert code == 0
    code, _, err = run(capsys, "review", "revise", "2", "--as", "wang_qiang")
    assert code == 2 and "--note" in err
    code, out, _ = run(
        capsys, "review", "revise", "2", "--as", "wang_qiang", "--note", "请补充救助热线"
    )
    assert code == 0 and "退回" in out
    code, out, _ = run(capsys, "review", "show", "2", "--json")
    assert json.loads(out)["status"] == "changes_requested"
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and out.startswith("审计日志完整")


def test_reassign_and_override_from_the_command_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "draft", "new", "post.md", "--account", "ccmz_wechat", "--as", "zhao_min")
    run(capsys, "submit", "1", "--as", "zhao_min")
    run(capsys, "review", "claim", "1", "--as", "li_na")
    code, _, err = run(capsys, "review", "reassign", "1", "--to", "wang_qiang", "--as", "li_na")
    assert code == 2 and "负责人可以转派" in err
    code, out, _ = run(
        capsys, "review", "reassign", "1", "--to", "wang_qiang", "--as", "wang_qiang"
    )
    assert code == 0 and "已转派给 王强" in out
    code, _, err = run(
        capsys,
        "review",
        "override",
        "1",
        "--check",
        "personal_data",
        "--reason",
        "依法公开的惩戒信息，经局务会研究同意",
        "--as",
        "wang_qiang",
    )
    assert code == 2 and "没有拦截" in err
    code, out, _ = run(capsys, "review", "sweep")
    assert code == 0 and "到期退回：0" in out
