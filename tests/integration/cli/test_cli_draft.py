"""The editor's CLI end to end: a draft file → database → listing → audit log → tamper check."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from app_support import run_cli

run = run_cli


def test_draft_new_list_and_audit(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "draft", "new", "post.md", "--account", "ccmz_wechat", "--at", "2099-12-01 09:00",
        "--as", "zhao_min",
    )  # fmt: skip
    assert code == 0 and "已创建稿件 1" in out
    code, out, _ = run(capsys, "draft", "list", "--json")
    listed = json.loads(out)
    assert [(d["id"], d["title"], d["accounts"]) for d in listed] == [
        (1, "关于开展2026年冬季流浪乞讨人员专项救助行动的通知", ["ccmz_wechat"])
    ]
    assert listed[0]["publish_at"] == "2099-12-01T01:00:00+00:00"  # 09:00 Beijing = 01:00 UTC
    code, out, _ = run(capsys, "audit", "list", "--json")
    assert [e["action"] for e in json.loads(out)] == ["draft.create"]
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and out.startswith("审计日志完整")

    # tamper with the row by hand: the verifier names the broken link
    db = sqlite3.connect(workdir / "var" / "newmedia.db")
    db.execute('UPDATE audit_events SET detail = \'{"accounts": ["ccmz_weibo"]}\' WHERE seq = 1')
    db.commit()
    db.close()
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 1 and "#1 内容被改动" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--account", "nope"], "未知的账号「nope」"),
        (["--account", "ccmz_wechat", "--at", "2001-01-01 09:00"], "已经过去"),
        (["--account", "ccmz_wechat", "--at", "tomorrow"], "无法识别的时间"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    workdir: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    code, _, err = run(capsys, "draft", "new", "post.md", *args, "--as", "zhao_min")
    assert code == 2 and needle in err
    code, out, _ = run(capsys, "draft", "list", "--json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("name", "needle"), [("missing.md", "文件不存在：missing.md"), ("var", "var 是文件夹")]
)
def test_a_draft_path_that_is_no_file_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str], name: str, needle: str
) -> None:
    (workdir / "var").mkdir(exist_ok=True)
    code, _, err = run(capsys, "draft", "new", name, "--account", "ccmz_wechat", "--as", "zhao_min")
    assert code == 2 and needle in err and "Traceback" not in err


def test_malformed_front_matter(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "bad.md").write_text('+++\ntitle = "未闭合\n+++\n正文', encoding="utf-8")
    code, _, err = run(
        capsys, "draft", "new", "bad.md", "--account", "ccmz_wechat", "--as", "zhao_min"
    )
    assert code == 2 and "front matter" in err and "第 2 行" in err


def test_invalid_settings_file_is_reported(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "broken.toml").write_text("[service]\nport = 0\n", encoding="utf-8")
    code, _, err = run(capsys, "--settings", "broken.toml", "draft", "list")
    assert code == 2 and "service.port = 0" in err and "departments" in err
