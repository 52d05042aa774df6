"""Secrets set in a form the service cannot use are refused when the settings load for the
service — named by their variable, never shown — instead of crashing ``serve`` later (an
EncodingAESKey the callback cipher cannot decode raised an English ValueError at start-up)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from doctor_support import PRODUCTION_ENV, production_settings

from bot.config.env_secrets import read_secrets
from bot.config.load import SettingsError, load_settings
from bot.config.schema import SettingsFile

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = production_settings(
    (ROOT / "settings.toml").read_text(encoding="utf-8"), api_base="http://127.0.0.1:9"
)
#: 43 characters, but "-" and "_" are not in the base64 alphabet the platforms use
NOT_BASE64 = "not-base64_not-base64_not-base64_not-base64"


def _load(tmp_path: Path, **env: str) -> list[str]:
    path = tmp_path / "settings.toml"
    path.write_text(PRODUCTION, encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        load_settings(path, {**PRODUCTION_ENV, **env}, for_service=True)
    return refused.value.problems


def test_the_production_env_loads(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(PRODUCTION, encoding="utf-8")
    assert load_settings(path, PRODUCTION_ENV, for_service=True).secrets


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("NEWMEDIA_CCYL_WECHAT_AES_KEY", "short", "有 5 个字符，应为 43 个"),
        ("NEWMEDIA_REVIEW_APP_AES_KEY", NOT_BASE64, "含有 base64 以外的字符，只能是"),
        ("NEWMEDIA_CCMZ_WECHAT_AES_KEY", "A" * 44, "有 44 个字符，应为 43 个"),
    ],
)
def test_a_malformed_aes_key_is_named_with_where_to_copy_it(
    tmp_path: Path, name: str, value: str, said: str
) -> None:
    [problem] = _load(tmp_path, **{name: value})
    assert f"环境变量 {name} 不是有效的 EncodingAESKey（{said}" in problem
    assert "复制完整的 EncodingAESKey" in problem
    platform = "企业微信管理后台" if "REVIEW_APP" in name else "公众号后台"
    assert platform in problem
    assert value not in problem


def test_a_command_that_signs_nothing_does_not_need_the_aes_key(tmp_path: Path) -> None:
    f = SettingsFile.model_validate(tomllib.loads(PRODUCTION))
    env = {**PRODUCTION_ENV, "NEWMEDIA_CCYL_WECHAT_AES_KEY": "short"}
    problems: list[str] = []
    malformed: list[str] = []
    read_secrets(f, env, for_service=False, problems=problems, malformed=malformed)
    assert problems == [] == malformed
    read_secrets(f, env, for_service=True, problems=problems, malformed=malformed)
    assert problems == malformed and len(malformed) == 1


def test_short_session_key_and_non_fernet_token_key_say_how_to_make_one(tmp_path: Path) -> None:
    problems = _load(tmp_path, NEWMEDIA_SECRET_KEY="tooshort", NEWMEDIA_TOKEN_KEY="notfernet")
    short, fernet = sorted(problems, key=lambda p: "TOKEN_KEY" in p)
    assert "NEWMEDIA_SECRET_KEY 太短（8 个字符）" in short
    assert 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"' in short
    assert "NEWMEDIA_TOKEN_KEY 的密钥不是有效的 Fernet 密钥" in fernet
    assert "/opt/newmedia/.venv/bin/python -c" in fernet and ".venv/bin/python" in fernet
    for problem in problems:
        assert "tooshort" not in problem and "notfernet" not in problem
        assert not re.search(r"(^|[^/\w])python -c", problem)  # Debian has no plain python
