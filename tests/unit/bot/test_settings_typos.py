"""A misspelt key or section is answered with the closest known one and the keys its table
takes — not with a pointer into the source (``prot = 8080`` → 「是不是 port？」)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config.load import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = (ROOT / "settings.toml").read_text(encoding="utf-8")


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        load_settings(path, {})
    return refused.value.problems


def test_a_misspelt_key_suggests_the_right_one_and_lists_the_section(tmp_path: Path) -> None:
    text = re.sub(r"^port = ", "prot = ", SHIPPED, count=1, flags=re.MULTILINE)
    [problem] = _problems(tmp_path, text)
    assert problem.startswith("service.prot — 不认识的设置项，是不是 port？[service] 可用的项：")
    assert "host、port、public_url" in problem
    assert "schema.py" not in problem


def test_a_misspelt_section_suggests_the_right_one(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, SHIPPED.replace("[publishing]\n", "[publshing]\n", 1))
    assert problem.startswith("publshing — 不认识的设置节，是不是 [publishing]？可用的节：")
    assert "、media、" in problem


def test_a_key_in_an_array_of_tables_names_the_array(tmp_path: Path) -> None:
    text = SHIPPED.replace("default_cover = ", "default_covr = ", 1)
    [problem] = [p for p in _problems(tmp_path, text) if "default_covr" in p]
    assert re.match(
        r"accounts\[\d\]\.default_covr — 不认识的设置项，是不是 default_cover？", problem
    )
    assert "[[accounts]] 可用的项：key、platform、" in problem


def test_a_key_like_nothing_known_says_so_and_still_lists_the_keys(tmp_path: Path) -> None:
    text = SHIPPED.replace("[sandbox]\n", "[sandbox]\nzzz = 1\n", 1)
    [problem] = _problems(tmp_path, text)
    assert problem.startswith("sandbox.zzz — 不认识的设置项，拼写错误？[sandbox] 可用的项：enabled")
