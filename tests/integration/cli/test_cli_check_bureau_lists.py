"""``newmedia check`` with the bureau's word lists beside ``settings.toml`` (``[lists]``): the
bureau's hotline passes, its own 错敏词 entry blocks naming list and entry, a broken file is
refused in Chinese, and an edit applies to the next draft of a ``--jsonl`` stream."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from app_support import run_cli

from bot.cli.actions import check as check_action
from bot.config import lists as config_lists
from bot.config.load import load_settings
from review.checks.bureau_lists import installed

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ("bureau_wording.toml", "bureau_public_numbers.txt", "bureau_duties.toml")

HOTLINE = """+++
title = "市民政局民政服务热线24小时开通"
kind = "工作动态"
+++
为方便群众咨询最低生活保障、特困人员救助供养等社会救助政策，市民政局民政服务热线
0431-88886666 即日起24小时开通。市民政局党组书记、局长李振华表示，将做好兜底保障。
"""


@pytest.fixture
def bureau(cli_workdir: Path) -> Path:
    """The shipped settings with ``[lists]`` switched on and the example files beside them."""
    settings = cli_workdir / "settings.toml"
    text = settings.read_text(encoding="utf-8")
    for key in ("wording_file", "public_numbers_file", "duties_file"):
        assert f"# {key} = " in text
        text = text.replace(f"# {key} = ", f"{key} = ")
    settings.write_text(text, encoding="utf-8")
    for name in EXAMPLES:
        shutil.copy(ROOT / name, cli_workdir / name)
    (cli_workdir / "hotline.md").write_text(HOTLINE, encoding="utf-8")
    return cli_workdir


def test_the_bureaus_hotline_passes_and_is_blocked_without_the_list(
    bureau: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "check", "hotline.md", "--json")
    doc = json.loads(out)
    checks = {c["name"]: c for c in doc["checks"]}
    assert checks["personal_data"]["verdict"] == "pass", checks["personal_data"]
    assert checks["wording"]["verdict"] == "pass", checks["wording"]
    assert code == 0 and doc["verdict"] in ("pass", "warn"), doc
    # the same draft without the bureau's list: the hotline is taken for a private number
    (bureau / "bureau_public_numbers.txt").write_text("12349\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "check", "hotline.md", "--json")
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert checks["personal_data"]["verdict"] != "pass"


def test_an_entry_the_bureau_adds_blocks_naming_the_list_and_entry(
    bureau: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (bureau / "bureau_wording.toml").open("a", encoding="utf-8") as f:
        f.write('\n[[entry]]\nwrong = "兜底保障"\nright = "兜底保障工作"\nlevel = "block"\n')
    code, out, _ = run_cli(capsys, "check", "hotline.md")
    assert code == 3
    assert "[拦截] 错敏词：含错敏词：错敏词表（本局）第3条“兜底保障”" in out
    assert "“兜底保障”" in out  # the evidence quotes the draft


def test_a_wrong_leader_title_is_blocked_naming_the_leader_entry(
    bureau: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = bureau / "hotline.md"
    draft.write_text(HOTLINE.replace("党组书记、局长李振华", "副局长李振华"), encoding="utf-8")
    code, out, _ = run_cli(capsys, "check", "hotline.md")
    assert code == 3
    assert "错敏词表（本局）领导第1条“李振华”：职务写作“副局长”，应为“党组书记、局长”" in out


def test_a_broken_list_is_refused_in_chinese(
    bureau: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = bureau / "bureau_wording.toml"
    path.write_text(
        path.read_text(encoding="utf-8") + '\n[[entry]]\nwrong = "甲"\nlevel = "必须改"\n',
        encoding="utf-8",
    )
    lines = path.read_text(encoding="utf-8").splitlines()
    line = len(lines) - lines[::-1].index("[[entry]]")  # the last [[entry]]: the broken one
    code, out, err = run_cli(capsys, "check", "hotline.md")
    assert code == 2 and out == ""
    assert (
        f"本局词表有误，未检查：[lists] bureau_wording.toml 第 {line} 行，第 3 条 [[entry]]" in err
    )
    assert 'level 应为 "block"（必须改）或 "warn"（提示）' in err
    # the service refuses to start with the same words
    with pytest.raises(Exception, match="第 3 条 \\[\\[entry\\]\\]") as caught:
        load_settings(bureau / "settings.toml", env={}, for_service=True)
    assert "[lists] bureau_wording.toml" in str(caught.value)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_edit_applies_to_the_next_line_of_a_jsonl_stream(bureau: Path) -> None:
    """The stream reads the lists as they are for each line (the mtime looked at per interval)."""
    settings = load_settings(bureau / "settings.toml", env={})
    clock = Clock()
    lines = [
        json.dumps({"id": i, "title": "社会救助", "text": "最低生活保障爱心驿站"}) for i in (1, 2)
    ]

    class Editing(io.BytesIO):
        """Edits the bureau's file between the first and the second line."""

        def __iter__(self):  # type: ignore[no-untyped-def]
            yield lines[0].encode()
            path = bureau / "bureau_wording.toml"
            path.write_text(
                path.read_text(encoding="utf-8")
                + '\n[[entry]]\nwrong = "爱心驿站"\nright = "暖心驿站"\nlevel = "block"\n',
                encoding="utf-8",
            )
            os.utime(path, ns=(2 * 10**18, 2 * 10**18))
            clock.now += settings.lists.check_s
            yield lines[1].encode()

    out = io.StringIO()
    with installed(config_lists.bureau_lists(settings, clock=clock)):
        assert check_action.run_jsonl(Editing(), out) == 0
    first, second = (json.loads(x) for x in out.getvalue().splitlines())
    assert first["verdict"] != "block"
    assert second["verdict"] == "block"
    wording = next(c for c in second["checks"] if c["name"] == "wording")
    assert "错敏词表（本局）第3条“爱心驿站”" in wording["reason"]


def test_draft_submit_reads_the_same_lists_as_check(
    bureau: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check`` and ``draft submit`` agree: the bureau's entry blocks the submitted draft."""
    with (bureau / "bureau_wording.toml").open("a", encoding="utf-8") as f:
        f.write('\n[[entry]]\nwrong = "兜底保障"\nright = "兜底保障工作"\nlevel = "block"\n')
    code, out, err = run_cli(
        capsys, "draft", "new", "hotline.md", "--account", "ccmz_wechat", "--as", "zhao_min"
    )
    assert code == 0, err
    code, out, err = run_cli(capsys, "draft", "submit", "1", "--as", "zhao_min")
    assert code == 3, out + err
    assert "错敏词表（本局）第3条“兜底保障”" in out


def test_a_personal_mobile_in_the_public_numbers_is_refused(
    bureau: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = bureau / "bureau_public_numbers.txt"
    path.write_text(path.read_text(encoding="utf-8") + "13943125678   # 张科长手机\n", "utf-8")
    line = len(path.read_text(encoding="utf-8").splitlines())
    code, out, err = run_cli(capsys, "check", "hotline.md")
    assert code == 2 and out == ""
    assert f"[lists] bureau_public_numbers.txt 第 {line} 行是手机号码" in err
    assert "13943125678" not in err


def test_check_without_settings_says_what_it_leaves_out_and_still_checks(
    bureau: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like ``draft new`` it names the missing file; unlike it, it checks with the built-in rules."""
    with_settings = run_cli(capsys, "check", "hotline.md")
    assert "设置" not in with_settings[2]
    (bureau / "settings.toml").unlink()
    code, out, err = run_cli(capsys, "check", "hotline.md")
    assert err.splitlines() == [
        "settings.toml：找不到设置文件，只用内置的检查规则，未应用本局词表和账号设置"
        "（请用 --settings 或环境变量 NEWMEDIA_SETTINGS 指定 settings.toml）"
    ]
    assert with_settings[0] == 0 and "[通过] 个人信息" in with_settings[1]
    # still checked, as before: the bureau's hotline is taken for a private number and the
    # accounts' standard cover is unknown
    assert code == 3 and "[提示] 个人信息" in out and "图文消息须有封面图" in out
    _, _, refused = run_cli(capsys, "draft", "new", "hotline.md", "--as", "zhao_min")
    assert "找不到设置文件 — 请用 --settings 或环境变量 NEWMEDIA_SETTINGS" in refused

    line = json.dumps({"id": 1, "title": "热线", "text": HOTLINE.split("+++")[-1]}).encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(line + b"\n")))
    code, out, err = run_cli(capsys, "check", "--jsonl")
    assert code == 0 and json.loads(out)["id"] == 1
    assert "找不到设置文件，只用内置的检查规则" in err


def test_check_with_broken_settings_says_so_in_one_line(
    bureau: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (bureau / "settings.toml").write_text('[lists]\nwording_file = "x.toml"\nnope = 1\n', "utf-8")
    code, out, err = run_cli(capsys, "check", "hotline.md")
    assert code == 3 and "结论：拦截" in out
    (line,) = err.splitlines()
    assert line.startswith(
        "settings.toml：设置有误，只用内置的检查规则，未应用本局词表和账号设置："
    )
