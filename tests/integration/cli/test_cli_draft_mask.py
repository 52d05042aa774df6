"""``newmedia draft mask N``: one step from the gate's suggestion to a masked revision."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_support import run_cli

POST = """+++
title = "2026年第三季度低保新增对象公示"
kind = "通知公告"
+++
拟纳入低保：孙玉梅，女，63岁，东风街道新华社区7号楼3单元402室，肢体残疾二级，月保障金额1260元。
孙玉梅户经民主评议通过。市民政局局长王志刚审核。
"""


def test_draft_mask_makes_a_new_revision(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (cli_workdir / "list.md").write_text(POST, encoding="utf-8")
    code, out, _ = run_cli(
        capsys, "draft", "new", "list.md", "--account", "ccmz_wechat", "--as", "zhao_min"
    )
    assert code == 0, out
    code, out, _ = run_cli(capsys, "check", "list.md")
    assert "孙*梅" in out  # the gate's suggestion names the masked form

    code, out, _ = run_cli(capsys, "draft", "mask", "1", "--as", "zhao_min")
    assert code == 0 and "第 2 版" in out
    assert "孙玉梅 → 孙*梅" in out and "3单元402室 → （删去）" in out
    code, out, _ = run_cli(capsys, "draft", "show", "1", "--json")
    body = json.loads(out)["body"]
    assert "孙玉梅" not in body and body.count("孙*梅") == 2
    assert "新华社区，" in body and "王志刚" in body  # the official stays named
    code, out, _ = run_cli(capsys, "audit", "list", "--json")
    actions = [e["action"] for e in json.loads(out)]
    assert actions.count("draft.edit") == 1 and actions.count("draft.mask") == 1

    code, out, _ = run_cli(capsys, "draft", "mask", "1", "--as", "zhao_min")
    assert code == 0 and "未发现需要去标识化" in out


def test_draft_mask_unknown_draft(cli_workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "draft", "mask", "7", "--as", "zhao_min")
    assert code != 0 and "稿件 7 不存在" in err


def test_blocked_draft_passes_the_gate_after_mask(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (cli_workdir / "list.md").write_text(POST, encoding="utf-8")
    run_cli(capsys, "draft", "new", "list.md", "--account", "ccmz_wechat", "--as", "zhao_min")
    code, out, _ = run_cli(capsys, "draft", "submit", "1", "--as", "zhao_min")
    assert code == 3 and "孙玉梅" in out  # blocked by personal_data, the name as evidence
    assert "newmedia draft mask 1 --as zhao_min" in out  # the next step, typed out
    assert "newmedia draft edit 1 " in out and " ID " not in out
    code, out, _ = run_cli(capsys, "draft", "mask", "1", "--as", "zhao_min")
    assert code == 0, out
    code, out, _ = run_cli(capsys, "draft", "submit", "1", "--as", "zhao_min")
    assert code == 0, out
    code, out, _ = run_cli(capsys, "draft", "show", "1", "--json")
    assert json.loads(out)["status"] != "blocked"
