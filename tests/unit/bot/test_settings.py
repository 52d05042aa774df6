from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.load import SettingsError, env_name, load_settings

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = (ROOT / "settings.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_settings_run_the_demo() -> None:
    s = load_settings(ROOT / "settings.toml", env={})
    assert s.demo
    assert {"ccmz_wechat", "ccmz_weibo", "ccyl_wechat"} <= set(s.accounts)
    assert (
        s.accounts["ccmz_wechat"].name == "长春民政" and s.accounts["ccmz_wechat"].owner == "office"
    )
    assert s.accounts["ccyl_wechat"].owner == "elderly"
    assert s.secrets["ccmz_wechat"].sandbox_only
    assert len(s.secrets["ccmz_wechat"].aes_key) == 43
    # relative SQLite paths are anchored at the settings file
    assert s.database_url.endswith(str(ROOT / "var" / "newmedia.db"))


def test_secret_in_file_refuses_to_start(tmp_path: Path) -> None:
    text = SHIPPED.replace(
        'app_id = "wx5a0c0ffee0000001"', 'app_id = "wx5a0c0ffee0000001"\napp_secret = "abc"'
    )
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path, text), env={})
    assert "accounts[0].app_secret：密钥不能写在设置文件里" in str(err.value)
    assert "NEWMEDIA_CCMZ_WECHAT_APP_SECRET" in str(err.value)


def test_every_problem_reported_at_once_with_key_value_and_expectation(tmp_path: Path) -> None:
    text = (
        SHIPPED.replace('key = "ccmz_weibo"', 'key = "CCMZ-Weibo"')
        .replace("port = 8080", "port = 99999")
        .replace('roles = ["editor"]', 'roles = ["editor", "boss"]', 1)
    )
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path, text), env={})
    problems = err.value.problems
    assert len(problems) == 3, problems
    joined = "\n".join(problems)
    assert "accounts[1].key = 'CCMZ-Weibo'" in joined and "[a-z0-9_]+" in joined
    assert "service.port = 99999" in joined
    assert "people[0].roles" in joined and "boss" in joined
    assert str(tmp_path / "settings.toml") in str(err.value)


def test_cross_references_checked(tmp_path: Path) -> None:
    text = SHIPPED.replace('owner = "elderly"', 'owner = "nobody"')
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path, text), env={})
    assert any("owner = 'nobody'" in p for p in err.value.problems)


def test_real_account_needs_env_secrets(tmp_path: Path) -> None:
    text = SHIPPED.replace(
        'key = "ccyl_wechat"\nplatform = "wechat"\nname = "长春养老服务"\nowner = "elderly"\nsandbox = true',
        'key = "ccyl_wechat"\nplatform = "wechat"\nname = "长春养老服务"\nowner = "elderly"\nsandbox = false',
    )
    assert text != SHIPPED
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as err:
        load_settings(path, env={}, for_service=True)
    assert env_name("ccyl_wechat", "APP_SECRET") in str(err.value)
    # a command that only reads the database does not need the account's secrets
    assert not load_settings(path, env={}).secrets["ccyl_wechat"].app_secret
    env = {
        "NEWMEDIA_CCYL_WECHAT_APP_SECRET": "s3cret",
        "NEWMEDIA_CCYL_WECHAT_TOKEN": "tok",
        "NEWMEDIA_CCYL_WECHAT_AES_KEY": "k" * 43,
    }
    s = load_settings(path, env=env, for_service=True)
    assert s.secrets["ccyl_wechat"].app_secret == "s3cret"
    assert not s.secrets["ccyl_wechat"].sandbox_only


def test_production_mode_needs_session_key(tmp_path: Path) -> None:
    text = SHIPPED.replace("[sandbox]\nenabled = true", "[sandbox]\nenabled = false")
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path, text), env={}, for_service=True)
    assert any("NEWMEDIA_SECRET_KEY" in p for p in err.value.problems)


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path, "[service\nport = 1"), env={})
    assert "不是有效的 TOML" in str(err.value)


def test_keyword_answers_file_is_anchored_and_checked_for_the_service(tmp_path: Path) -> None:
    text = SHIPPED.replace(
        '# keyword_answers_file = "keyword_answers.toml"',
        'keyword_answers_file = "guide/answers.toml"',
    )
    assert text != SHIPPED
    # a command does not read the answers file: only the path is resolved
    s = load_settings(write(tmp_path, text), env={})
    assert s.keyword_answers == tmp_path / "guide" / "answers.toml"
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path, text), env={}, for_service=True)
    assert any("inbox.keyword_answers_file" in p and "找不到" in p for p in err.value.problems)
    (tmp_path / "guide").mkdir()
    (tmp_path / "guide" / "answers.toml").write_text("[[entry]]\ntitle = 'x'\n", encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path, text), env={}, for_service=True)
    assert any("缺少 title 或 answer" in p for p in err.value.problems)
    shipped = (ROOT / "review" / "data" / "keyword_answers.toml").read_text(encoding="utf-8")
    (tmp_path / "guide" / "answers.toml").write_text(shipped, encoding="utf-8")
    s = load_settings(write(tmp_path, text), env={}, for_service=True)
    assert s.keyword_answers == tmp_path / "guide" / "answers.toml"


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("postgresql://newmedia:s3cret@db.example/newmedia", True),
        ("postgresql+asyncpg://newmedia:p@ss@db.example:5432/newmedia", True),
        ("postgresql://newmedia@db.example/newmedia", False),
        ("postgresql://newmedia:@db.example/newmedia", False),
        ("postgresql://db.example:5432/newmedia", False),
        ("sqlite:///var/newmedia.db", False),
    ],
)
def test_a_password_in_the_database_url_is_refused(tmp_path: Path, url: str, refused: bool) -> None:
    text = SHIPPED.replace('url = "sqlite:///var/newmedia.db"', f'url = "{url}"')
    assert text != SHIPPED or url == "sqlite:///var/newmedia.db"
    try:
        load_settings(write(tmp_path, text), env={})
        problems: list[str] = []
    except SettingsError as err:
        problems = err.problems
    assert any("database.url 含有密码" in p for p in problems) is refused


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mysql://root:hunter22@db.example/newmedia", "（现为 mysql://…）"),
        ("127.0.0.1:5432", ""),
        ("postgresql//newmedia@db.example/newmedia", ""),
    ],
)
def test_a_database_url_the_service_cannot_use_is_named_not_echoed(
    tmp_path: Path, url: str, shown: str
) -> None:
    """A mistyped or unsupported URL was a 57-line traceback from SQLAlchemy at the first query."""
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path, SHIPPED), env={"NEWMEDIA_DATABASE_URL": url})
    [problem] = [p for p in err.value.problems if "NEWMEDIA_DATABASE_URL" in p]
    assert problem.startswith("环境变量 NEWMEDIA_DATABASE_URL 应为 sqlite:///路径 或 postgresql://")
    assert problem.endswith(shown or "库名")
    assert "hunter22" not in str(err.value) and "db.example" not in str(err.value)


@pytest.mark.parametrize(
    "url",
    ["sqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db", "postgres://u@h/db",
     "postgresql://u@h/db", "postgresql+asyncpg://u@h:5432/db"],
)  # fmt: skip
def test_the_database_urls_the_service_runs_on_pass(tmp_path: Path, url: str) -> None:
    settings = load_settings(write(tmp_path, SHIPPED), env={"NEWMEDIA_DATABASE_URL": url})
    assert settings.database_url.split("://")[0] == url.split("://")[0]
