"""What the doctor gathers without a network: settings problems told apart from the secrets',
the bases it would ask, and database failures classified by kind."""

from __future__ import annotations

import socket
from pathlib import Path

import asyncpg
import pytest
from doctor_support import PRODUCTION_ENV, production_settings

from bot.doctor.findings import Status
from bot.doctor.gather import classify, gather_settings
from bot.doctor.probes import outcome_of
from bot.doctor.report import as_json, evaluate, render_text

ROOT = Path(__file__).resolve().parents[4]
SHIPPED = (ROOT / "settings.toml").read_text(encoding="utf-8")
GHOST = '\n[[people]]\nkey = "ghost"\nname = "幽灵"\ndepartment = "nowhere"\nroles = ["editor"]\n'


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_demo_settings_load_and_the_sandbox_is_not_asked(tmp_path: Path) -> None:
    facts, url = gather_settings(_write(tmp_path, SHIPPED), {})
    assert facts.settings.parsed and facts.settings.problems == () and facts.settings.demo
    assert facts.secrets is not None and facts.secrets.missing == () == facts.secrets.values
    assert url is not None and url.endswith("/var/newmedia.db")
    assert {p.mode for p in facts.probes} == {"in_process"}
    [wechat] = [p for p in facts.probes if p.platform == "wechat"]
    assert wechat.target == "账号 ccmz_wechat、账号 ccyl_wechat"
    assert wechat.setting == "accounts[0].api_base、accounts[2].api_base"


def test_settings_problems_are_told_apart_from_the_secrets(tmp_path: Path) -> None:
    text = production_settings(SHIPPED, api_base="http://127.0.0.1:9") + GHOST
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "NEWMEDIA_CCMZ_WEIBO_TOKEN"}
    env["NEWMEDIA_CCYL_WECHAT_TOKEN"] = "sandboxtokenccyl_wechat"  # the public demo value
    env["NEWMEDIA_MEDIA_ROOT"] = str(ROOT / "media")  # the shipped covers
    facts, _url = gather_settings(_write(tmp_path, text), env)
    [problem] = facts.settings.problems
    assert "department = 'nowhere'" in problem
    assert facts.secrets is not None
    [missing] = facts.secrets.missing
    assert "NEWMEDIA_CCMZ_WEIBO_TOKEN" in missing
    [value] = facts.secrets.values
    assert "NEWMEDIA_CCYL_WECHAT_TOKEN" in value and "公开的演示值" in value
    assert {p.mode for p in facts.probes} == {"api_base"}
    found = evaluate(facts)
    assert [f.check for f in found if f.status is Status.FAIL] == [
        "settings",
        "secrets",
        "production",
    ]
    assert {f.status for f in found if f.check == "platform"} == {Status.SKIP}  # not yet asked


def test_a_sandbox_account_outside_demo_mode_is_not_probed(tmp_path: Path) -> None:
    text = SHIPPED.replace("[sandbox]\nenabled = true", "[sandbox]\nenabled = false", 1)
    facts, _url = gather_settings(_write(tmp_path, text), PRODUCTION_ENV)
    assert facts.probes == ()
    assert facts.secrets is not None and len(facts.secrets.values) == 4  # 3 accounts, 1 app


def test_real_accounts_ask_the_platforms_own_hosts(tmp_path: Path) -> None:
    text = production_settings(SHIPPED, api_base="x").replace('api_base = "x/', 'api_base = "" # ')
    facts, _url = gather_settings(_write(tmp_path, text), PRODUCTION_ENV)
    assert {p.url for p in facts.probes} == {
        "https://api.weixin.qq.com",
        "https://api.weibo.com",
        "https://m.api.weibo.com",
        "https://qyapi.weixin.qq.com",
    }
    assert {p.mode for p in facts.probes} == {"default"}


def test_settings_that_do_not_parse_skip_every_other_check(tmp_path: Path) -> None:
    facts, url = gather_settings(_write(tmp_path, "[service\nport = 1"), {})
    assert url is None and not facts.settings.parsed
    found = evaluate(facts)
    assert found[0].status is Status.FAIL and "不是有效的 TOML" in found[0].detail
    assert {f.status for f in found[1:]} == {Status.SKIP}
    text = render_text(found)
    assert "– 密钥：设置文件未能加载，无法检查（先修复「设置」一项）" in text.splitlines()
    assert as_json(found)["exit_code"] == 1


def test_a_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    facts, url = gather_settings(str(tmp_path / "nowhere.toml"), {})
    assert url is None and not facts.settings.found


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), "refused"),
        (socket.gaierror(-2, "Name or service not known"), "dns"),
        (TimeoutError(), "timeout"),
        (
            asyncpg.exceptions.InvalidCatalogNameError('database "x" does not exist'),
            "unknown_database",
        ),
        (asyncpg.exceptions.InvalidPasswordError("password authentication failed"), "auth"),
        (OSError("unable to open database file"), "cannot_open"),
        (ValueError("boom"), "other"),
    ],
)
def test_database_failures_are_classified_through_their_causes(
    exc: BaseException, kind: str
) -> None:
    wrapped = RuntimeError("(sqlalchemy.dialects.postgresql.asyncpg.Error) wrapped")
    wrapped.__cause__ = exc
    found, said = classify(wrapped)
    assert found == kind
    assert "\n" not in said


def test_a_message_that_quotes_the_url_is_dropped() -> None:
    leaked = ValueError("could not parse 'postgresql://bureau:sekrit-pw@db/nm'")
    assert classify(leaked) == ("other", "ValueError")


def test_probe_failures_without_a_connection_are_classified() -> None:
    assert outcome_of(TimeoutError(), 5) == ("timeout", "5 秒")
    assert outcome_of(ConnectionRefusedError(111, "no"), 5)[0] == "refused"
    assert outcome_of(ValueError("odd"), 5) == ("other", "ValueError: odd")
