"""Where the directory comes from on the command line: commands no longer mirror the settings'
people into the database each time; a new embedded database gets them when it is created, and
``newmedia db upgrade`` (like ``serve``) after the settings change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_support import run_cli

run = run_cli

NEW_PERSON = """
[[people]]
key = "qin_yu"
name = "秦宇"
department = "office"
roles = ["editor"]
"""


def test_a_new_database_answers_a_listing_then_takes_a_draft(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not (workdir / "var" / "newmedia.db").exists()
    code, out, err = run(capsys, "review", "queue", "--as", "li_na", "--json")
    assert (code, err) == (0, "") and json.loads(out) == []  # li_na is known: directory mirrored
    code, out, _ = run(
        capsys, "draft", "new", "post.md", "--account", "ccmz_wechat", "--as", "zhao_min"
    )
    assert code == 0 and "已创建稿件 1" in out and "赵敏" in out


def test_people_list_reads_the_settings_not_the_database(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "people", "list", "--json")
    assert code == 0 and "li_na" in {p["key"] for p in json.loads(out)}
    assert not (cli_workdir / "var" / "newmedia.db").exists()


def test_db_upgrade_mirrors_a_person_added_to_the_settings(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(capsys, "draft", "list")  # creates the database with today's directory
    assert code == 0
    settings = workdir / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + NEW_PERSON, encoding="utf-8")

    code, out, _ = run(capsys, "people", "list", "--json")
    assert "qin_yu" in {p["key"] for p in json.loads(out)}  # the file says so at once
    code, _, err = run(
        capsys, "draft", "new", "post.md", "--account", "ccmz_wechat", "--as", "qin_yu"
    )
    assert code == 2 and "未知的人员「qin_yu」" in err  # the database learns it at upgrade

    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and "数据库已升级到" in out and "同步" in out
    code, out, _ = run(
        capsys, "draft", "new", "post.md", "--account", "ccmz_wechat", "--as", "qin_yu"
    )
    assert code == 0 and "作者 秦宇" in out
