"""``open_comments_kinds``: WeChat article comments opened per account and kind, checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.load import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = (ROOT / "settings.toml").read_text(encoding="utf-8")
LINE = 'open_comments_kinds = ["工作动态", "政策解读"]'


def load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, env={})


def test_the_shipped_account_opens_comments_for_two_kinds() -> None:
    s = load_settings(ROOT / "settings.toml", env={})
    assert s.accounts["ccmz_wechat"].open_comments_kinds == ("工作动态", "政策解读")
    assert s.accounts["ccyl_wechat"].open_comments_kinds == ()  # unset: closed for every kind
    assert s.file.inbox.wechat_comment_days >= 1


def test_an_unknown_kind_is_refused_naming_the_kinds(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as err:
        load(tmp_path, SHIPPED.replace(LINE, 'open_comments_kinds = ["工作新闻"]'))
    assert "未知的稿件类型「工作新闻」" in str(err.value) and "政策解读" in str(err.value)


def test_a_weibo_account_takes_no_comment_kinds(tmp_path: Path) -> None:
    text = SHIPPED.replace('key = "ccmz_weibo"', f'key = "ccmz_weibo"\n{LINE}')
    with pytest.raises(SettingsError) as err:
        load(tmp_path, text)
    assert "只适用于微信公众号" in str(err.value)
