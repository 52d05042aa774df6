"""``newmedia check``: draft files, exit codes, and the --jsonl stream."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from bot.cli import check
from bot.cli.actions.check import run_jsonl

DRAFT = """+++
title = "关于调整城乡低保标准的通知"
kind = "通知公告"
cover = "cover.jpg"
+++
经市政府同意，提高城乡最低生活保障标准。详见 https://mzj.changchun.gov.cn/a/1
"""


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="newmedia")
    parser.add_argument("--settings")
    check.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return int(args.handler(args))


@pytest.fixture()
def no_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # no settings.toml here: plain wechat + weibo targets
    monkeypatch.delenv("NEWMEDIA_SETTINGS", raising=False)
    return tmp_path


def test_file_pass_or_warn_exits_0(no_settings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = no_settings / "d.md"
    f.write_text(DRAFT, encoding="utf-8")
    code = run_cli("check", str(f))
    out = capsys.readouterr().out
    assert "职能相关性" in out and "社会救助" in out
    assert "微博" in out  # the default Weibo target (no safe domain configured) is reported
    assert code == check.EXIT_OK


def test_file_block_exits_2_with_evidence(
    no_settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = no_settings / "d.md"
    f.write_text(DRAFT + "联系人手机13812345678\n", encoding="utf-8")
    assert run_cli("check", str(f)) == check.EXIT_BLOCK
    out = capsys.readouterr().out
    assert "[拦截] 个人信息" in out and "“13812345678”" in out and "138****5678" in out
    assert run_cli("check", str(f), "--json") == check.EXIT_BLOCK
    doc = json.loads(capsys.readouterr().out)
    assert doc["verdict"] == "block" and doc["title"].startswith("关于调整")


def test_bad_file_exits_1_in_chinese(no_settings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = no_settings / "bad.md"
    f.write_text('+++\ntitle = "x"\n', encoding="utf-8")
    assert run_cli("check", str(f)) == check.EXIT_ERROR
    assert "第 1 行" in capsys.readouterr().err
    assert run_cli("check", str(no_settings / "missing.md")) == check.EXIT_ERROR
    assert run_cli("check") == check.EXIT_ERROR


def test_account_from_settings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    settings = Path(__file__).resolve().parents[4] / "settings.toml"
    if not settings.exists():
        pytest.skip("no shipped settings.toml")
    f = tmp_path / "d.md"
    f.write_text(DRAFT, encoding="utf-8")
    from bot.config.load import load_settings

    weibo = next(k for k, a in load_settings(settings).accounts.items() if a.platform == "weibo")
    code = run_cli("--settings", str(settings), "check", str(f), "--account", weibo)
    out = capsys.readouterr().out
    assert f"微博（{weibo}）" not in out or "10017" not in out  # link is on the safe domain
    assert code in (check.EXIT_OK, check.EXIT_BLOCK)
    assert (
        run_cli("--settings", str(settings), "check", str(f), "--account", "nope")
        == check.EXIT_ERROR
    )


def test_jsonl_stream_with_bad_lines() -> None:
    lines = [
        {"id": 1, "text": "城乡低保标准提高", "title": "低保"},
        "not json",
        {"id": 3},
        [1],
        {"id": "x", "text": "演唱会门票开抢"},
    ]
    raw = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
    out = io.StringIO()
    assert run_jsonl(io.BytesIO(raw.encode() + b"\n\n"), out) == 0
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(rows) == 5
    assert rows[0]["id"] == 1 and rows[0]["verdict"] == "pass"
    assert {c["name"] for c in rows[0]["checks"]} >= {"relevance", "personal_data"}
    assert rows[1] == {"id": None, "error": rows[1]["error"]} and "JSON" in rows[1]["error"]
    assert rows[2]["id"] == 3 and "text" in rows[2]["error"]
    assert rows[3]["id"] is None
    assert rows[4]["verdict"] == "block"
