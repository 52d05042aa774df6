"""``[inbox]`` reply-window settings: checked at load, every problem said in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.load import SettingsError, load_settings
from bot.inbox.window_ticks import plan_from

ROOT = Path(__file__).resolve().parents[4]


def _write(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    text = (ROOT / "settings.toml").read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_plan() -> None:
    plan = plan_from(load_settings(ROOT / "settings.toml", env={}))
    assert (plan.reminder_hours, plan.escalate_hours, plan.interim_hours) == ((24, 6), 2, 4)


def test_bad_window_hours_are_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        ("window_reminder_hours = [24, 6]", "window_reminder_hours = [50, 6]"),
        ("window_escalate_hours = 2", "window_escalate_hours = 0"),
        ("interim_hours_before_close = 4", "interim_hours_before_close = 48"),
    )
    with pytest.raises(SettingsError) as err:
        load_settings(path, env={})
    text = str(err.value)
    assert "window_reminder_hours" in text and "0 到 48 小时" in text
    assert "window_escalate_hours" in text and "interim_hours_before_close" in text


def test_repeated_reminder_hours_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, ("window_reminder_hours = [24, 6]", "window_reminder_hours = [6, 6]"))
    with pytest.raises(SettingsError) as err:
        load_settings(path, env={})
    assert "重复" in str(err.value)


def test_topic_days_are_bounded(tmp_path: Path) -> None:
    path = _write(tmp_path, ('"婚姻登记" = 5', '"婚姻登记" = 0'))
    with pytest.raises(SettingsError) as err:
        load_settings(path, env={})
    assert "1 到 60 个工作日" in str(err.value)
