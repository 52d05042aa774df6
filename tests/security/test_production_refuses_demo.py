"""Outside demo mode the public demo keys open nothing: a production settings file with an account
or app still marked ``sandbox = true``, a missing secret or a demo value in the environment is
refused before the service starts — every problem at once, in Chinese, without a value.
Commands that only read keep working with a production file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from app_support import run_cli
from cryptography.fernet import Fernet

from bot.app import create_app
from bot.config.load import SANDBOX_SECRET_KEY, SettingsError, load_settings, sandbox_secrets
from review.token_cipher import DEMO_TOKEN_KEY

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "settings.toml").read_text(encoding="utf-8")
ACCOUNTS = {"ccmz_wechat": 3, "ccmz_weibo": 2, "ccyl_wechat": 3, "review_app": 3}
SESSION_KEY = "a-random-production-session-key-of-48-characters"
TOKEN_KEY = Fernet.generate_key().decode()


def production(tmp_path: Path, *, sandbox_marked: bool) -> Path:
    """The shipped file with the sandbox off (accounts still marked, or turned real)."""
    text = SHIPPED.replace("[sandbox]\nenabled = true", "[sandbox]\nenabled = false")
    assert text != SHIPPED
    if not sandbox_marked:
        text = text.replace("sandbox = true", "sandbox = false")
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def full_env() -> dict[str, str]:
    """Every secret a production service needs, none of them a demo value."""
    env = {"NEWMEDIA_SECRET_KEY": SESSION_KEY, "NEWMEDIA_TOKEN_KEY": TOKEN_KEY}
    for key in ACCOUNTS:
        prefix = f"NEWMEDIA_{key.upper()}_"
        env[prefix + "APP_SECRET"] = f"real-secret-{key}"
        env[prefix + "TOKEN"] = f"realtoken{key}"
        # the form the callback cipher takes: 43 base64 characters ("_" is not one)
        env[prefix + "AES_KEY"] = ("k" + key.replace("_", "") * 43)[:43]
    return env


def test_accounts_and_apps_marked_sandbox_refuse_production(tmp_path: Path) -> None:
    path = production(tmp_path, sandbox_marked=True)
    with pytest.raises(SettingsError) as err:
        load_settings(path, env=full_env(), for_service=True)
    problems = err.value.problems
    # each of the three accounts and the WeCom app, all at once (even with secrets set)
    assert len(problems) == 4, problems
    for key in ACCOUNTS:
        assert any(key in p and "sandbox = true" in p and "演示密钥" in p for p in problems), key
    # a command is refused too: the file itself is wrong, not just the environment
    with pytest.raises(SettingsError):
        load_settings(path, env=full_env())


def test_demo_values_in_the_environment_are_refused(tmp_path: Path) -> None:
    """Copying the public demo Token/EncodingAESKey into the environment opens nothing."""
    env = full_env()
    demo = sandbox_secrets("review_app")
    env["NEWMEDIA_REVIEW_APP_TOKEN"] = demo.token
    env["NEWMEDIA_REVIEW_APP_AES_KEY"] = demo.aes_key
    env["NEWMEDIA_SECRET_KEY"] = SANDBOX_SECRET_KEY
    env["NEWMEDIA_TOKEN_KEY"] = DEMO_TOKEN_KEY
    path = production(tmp_path, sandbox_marked=False)
    with pytest.raises(SettingsError) as err:
        load_settings(path, env=env, for_service=True)
    text = str(err.value)
    for name in ("NEWMEDIA_REVIEW_APP_TOKEN", "NEWMEDIA_REVIEW_APP_AES_KEY"):
        assert any(name in p and "演示值" in p for p in err.value.problems), name
    assert any("NEWMEDIA_SECRET_KEY" in p and "演示值" in p for p in err.value.problems)
    assert any("NEWMEDIA_TOKEN_KEY" in p and "演示密钥" in p for p in err.value.problems)
    assert len(err.value.problems) == 4
    for value in (demo.token, demo.aes_key, SANDBOX_SECRET_KEY, DEMO_TOKEN_KEY):
        assert value not in text


def test_another_accounts_demo_values_are_refused_too(tmp_path: Path) -> None:
    """Every sandbox value is public, not only an account's own: swapping them opens nothing."""
    env = full_env()
    other = sandbox_secrets("ccyl_wechat")
    env["NEWMEDIA_CCMZ_WECHAT_APP_SECRET"] = other.app_secret
    env["NEWMEDIA_CCMZ_WECHAT_TOKEN"] = other.token
    env["NEWMEDIA_CCMZ_WECHAT_AES_KEY"] = other.aes_key
    with pytest.raises(SettingsError) as err:
        load_settings(production(tmp_path, sandbox_marked=False), env=env, for_service=True)
    for what in ("APP_SECRET", "TOKEN", "AES_KEY"):
        name = f"NEWMEDIA_CCMZ_WECHAT_{what}"
        assert any(name in p and "演示值" in p for p in err.value.problems), name
    assert len(err.value.problems) == 3
    for value in (other.app_secret, other.token, other.aes_key):
        assert value not in str(err.value)


def test_every_missing_secret_is_listed_at_once(tmp_path: Path) -> None:
    path = production(tmp_path, sandbox_marked=False)
    with pytest.raises(SettingsError) as err:
        load_settings(path, env={}, for_service=True)
    problems = err.value.problems
    for key, count in ACCOUNTS.items():
        (line,) = [p for p in problems if f" {key}（" in p]
        assert "缺少环境变量" in line
        assert len(re.findall(rf"NEWMEDIA_{key.upper()}_\w+", line)) == count, line
    # a Weibo account has no EncodingAESKey to ask for
    assert not any("NEWMEDIA_CCMZ_WEIBO_AES_KEY" in p for p in problems)
    assert any("未设置环境变量 NEWMEDIA_SECRET_KEY" in p for p in problems)
    assert any("未设置环境变量 NEWMEDIA_TOKEN_KEY" in p for p in problems)
    assert len(problems) == len(ACCOUNTS) + 2
    # with every secret set, the production service loads
    s = load_settings(path, env=full_env(), for_service=True)
    assert not s.demo and s.secret_key == SESSION_KEY and s.token_keys == (TOKEN_KEY,)
    assert not any(sec.sandbox_only for sec in s.secrets.values())


def test_a_short_session_key_is_refused_without_showing_it(tmp_path: Path) -> None:
    env = full_env() | {"NEWMEDIA_SECRET_KEY": "tiny-k3y"}
    with pytest.raises(SettingsError) as err:
        load_settings(production(tmp_path, sandbox_marked=False), env=env, for_service=True)
    assert [p for p in err.value.problems if "NEWMEDIA_SECRET_KEY 太短" in p]
    assert "tiny-k3y" not in str(err.value)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    import os

    for name in list(os.environ):
        if name.startswith("NEWMEDIA_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_serve_refuses_to_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("NEWMEDIA_SECRET_KEY", SESSION_KEY)

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the service was built from a refused settings file")

    clean_env.setattr("bot.cli.actions.serve.create_app", never)
    path = production(tmp_path, sandbox_marked=True)
    code, _, err = run_cli(capsys, "serve", "--settings", str(path))
    assert code == 2
    assert "设置有" in err and err.count("sandbox = true") == 4
    assert "NEWMEDIA_TOKEN_KEY" in err and "Fernet.generate_key()" in err


def test_a_command_that_only_reads_works_with_a_production_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    path = production(tmp_path, sandbox_marked=False)
    code, out, err = run_cli(capsys, "people", "list", "--settings", str(path))
    assert code == 0, err
    assert "赵敏" in out
    # ... but what it loads never builds the service: no console key, no token key
    with pytest.raises(ValueError, match="for_service"):
        create_app(load_settings(path, env={}))


def test_the_demo_keeps_its_public_keys() -> None:
    s = load_settings(ROOT / "settings.toml", env={}, for_service=True)
    assert s.demo and s.secret_key == SANDBOX_SECRET_KEY and s.token_keys == (DEMO_TOKEN_KEY,)
    assert all(sec.sandbox_only for sec in s.secrets.values())
