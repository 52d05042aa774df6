"""``[wordings]``: a stage naming an unknown department or kind is refused at load, in Chinese;
the shipped settings give 口径 three stages and 办事指南 two."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.load import SettingsError, load_settings
from bot.wordings.policy import policy_from
from review.wordings.policy import chain

ROOT = Path(__file__).resolve().parents[3]


def test_the_shipped_chain_adds_secrecy_to_both_kinds_and_legal_to_wordings() -> None:
    policy = policy_from(load_settings(ROOT / "settings.toml", env={}))
    ids = {"secrecy": 2, "legal": 3}
    assert [s["name"] for s in chain(policy, "wording", 1, ids)][1:] == ["保密审查", "法制审核"]
    assert [s["name"] for s in chain(policy, "guide", 1, ids)][1:] == ["保密审查"]
    assert policy.guide_owner == "office"


def test_unknown_departments_and_kinds_are_refused(tmp_path: Path) -> None:
    text = (ROOT / "settings.toml").read_text(encoding="utf-8")
    text = text.replace(
        '  { name = "法制审核", department = "legal", kinds = ["口径"] },\n]',
        '  { name = "法制审核", department = "nobody", kinds = ["通知"] },\n]',
        1,
    )
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(path, env={})
    problems = " ".join(err.value.problems)
    assert "wordings.stages[1].department = 'nobody'" in problems
    assert "只能是「口径」「办事指南」" in problems
