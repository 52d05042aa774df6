"""A secret written into settings.toml is refused by key, with the environment variable it
belongs in, and its value never printed — not by the secret check, not by the schema's own
errors (an unknown key, a table where an array belongs). Every settings error is in Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from app_support import run_cli

from bot.config.load import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "settings.toml").read_text(encoding="utf-8")
VALUE = "S3cr3t-Value-9f8e7d"
CJK = re.compile(r"[\u4e00-\u9fff]")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def inserted(after: str, line: str) -> str:
    assert SHIPPED.count(after) == 1, after
    return SHIPPED.replace(after, f"{after}\n{line}")


CASES = [
    (
        inserted('app_id = "wx5a0c0ffee0000001"', f'app_secret = "{VALUE}"'),
        "accounts[0].app_secret",
        "NEWMEDIA_CCMZ_WECHAT_APP_SECRET",
    ),
    (
        inserted('app_id = "wx5a0c0ffee0000002"', f'token = "{VALUE}"'),
        "accounts[2].token",
        "NEWMEDIA_CCYL_WECHAT_TOKEN",
    ),
    (
        inserted("agent_id = 1000002", f'aes_key = "{VALUE}"'),
        "wecom_apps[0].aes_key",
        "NEWMEDIA_REVIEW_APP_AES_KEY",
    ),
    (inserted("[service]", f'secret_key = "{VALUE}"'), "service.secret_key", "NEWMEDIA_SECRET_KEY"),
    (inserted("[database]", f'password = "{VALUE}"'), "database.password", "NEWMEDIA_DATABASE_URL"),
    (f'token_key = "{VALUE}"\n' + SHIPPED, "token_key", "NEWMEDIA_TOKEN_KEY"),
]


@pytest.mark.parametrize(("text", "where", "variable"), CASES)
def test_a_secret_in_the_file_names_its_key_and_variable_not_its_value(
    tmp_path: Path, text: str, where: str, variable: str
) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path, text), env={})
    assert VALUE not in str(err.value)
    (problem,) = err.value.problems  # one problem: not also an "unknown key" echoing it
    assert problem.startswith(f"{where}：密钥不能写在设置文件里")
    assert f"环境变量 {variable}" in problem


def test_an_unknown_key_is_named_without_its_value(tmp_path: Path) -> None:
    """A misspelt secret (not named like one) is still never shown."""
    text = inserted('app_id = "wx5a0c0ffee0000001"', f'appsecret_for_prod = "{VALUE}"')
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path, text), env={})
    assert VALUE not in str(err.value)
    [problem] = err.value.problems
    assert problem.startswith("accounts[0].appsecret_for_prod — 不认识的设置项，")
    assert "[[accounts]] 可用的项：key、platform、" in problem


def test_a_table_in_the_wrong_place_is_described_not_printed(tmp_path: Path) -> None:
    text = (
        f'wecom_apps = {{ key = "x", corp_id = "c", agent_id = 1, secret = "{VALUE}" }}\n'
        '[[departments]]\nkey = "office"\nname = "办公室"\n'
    )
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path, text), env={})
    assert VALUE not in str(err.value)
    assert "wecom_apps — 应为数组 […]" in err.value.problems


def test_the_cli_prints_the_problem_without_the_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, CASES[0][0])
    code, out, err = run_cli(capsys, "people", "list", "--settings", str(path))
    assert code == 2
    assert "NEWMEDIA_CCMZ_WECHAT_APP_SECRET" in err
    assert VALUE not in out + err


def test_every_settings_error_is_in_chinese(tmp_path: Path) -> None:
    text = (
        SHIPPED.replace('key = "ccmz_weibo"', 'key = "CCMZ-Weibo"')
        .replace("port = 8080", "port = 99999")
        .replace('roles = ["editor"]', 'roles = ["editor", "boss"]', 1)
        .replace("agent_id = 1000002", 'agent_id = "abc"')
        .replace('callback_mode = "aes"', 'callback_mode = "xml"', 1)
    )
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path, text), env={})
    assert len(err.value.problems) == 5, err.value.problems
    # values that are not secret still help: they are shown
    joined = "\n".join(err.value.problems)
    assert "service.port = 99999 — 应不大于 65535" in joined
    assert "accounts[1].key = 'CCMZ-Weibo' — 应符合 ^[a-z0-9_]+$" in joined
    crossed = SHIPPED.replace('owner = "elderly"', 'owner = "nobody"').replace(
        'safe_domain = "mzj.changchun.gov.cn"\n', ""
    )
    with pytest.raises(SettingsError) as err2:
        load_settings(write(tmp_path, crossed), env={})
    problems = err.value.problems + err2.value.problems
    assert len(err2.value.problems) == 3, err2.value.problems
    for broken in ("[service\nport = 1", ""):
        with pytest.raises(SettingsError) as err3:
            load_settings(write(tmp_path, broken), env={})
        problems += err3.value.problems
    with pytest.raises(SettingsError) as err4:
        load_settings(tmp_path / "missing.toml", env={})
    problems += err4.value.problems
    assert all(CJK.search(p) for p in problems), [p for p in problems if not CJK.search(p)]
    assert "设置有" in str(err4.value)
