"""Fix texts that name this installation's own things: the database and user of its URL, the
settings file in use, the media folder; and accounts hidden by a sandbox switched off."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.config.schema import SettingsFile
from bot.doctor.covers import gather_covers
from bot.doctor.facts import CoverFacts, DatabaseFacts, ProbeFacts, SecretFacts
from bot.doctor.findings import Status
from bot.doctor.network_rules import platform_findings
from bot.doctor.rules import (
    cover_findings,
    database_findings,
    production_findings,
    secrets_findings,
)

ROOT = Path(__file__).resolve().parents[4]


def test_an_unknown_database_is_created_with_the_urls_names() -> None:
    d = DatabaseFacts(
        "postgresql", "db:5432/mzj_prod", True, "unknown_database", name="mzj_prod", user="mzj"
    )
    [finding] = database_findings(d)
    assert "sudo -u postgres createdb -O mzj mzj_prod" in finding.fix
    assert "newmedia newmedia" not in finding.fix


def test_a_refused_login_creates_the_urls_user() -> None:
    d = DatabaseFacts("postgresql", "db:5432/nm", True, "auth", name="nm", user="bureau")
    [finding] = database_findings(d)
    assert finding.fix.endswith("createuser --pwprompt bureau")


def test_the_sandbox_fix_names_the_settings_file_in_use() -> None:
    p = ProbeFacts("账号 a", "accounts[0].api_base", "wechat", "http://sb:9/wechat", "api_base",
                   "refused")  # fmt: skip
    [finding] = platform_findings([p], "/etc/newmedia/settings.toml")
    assert "--settings /etc/newmedia/settings.toml --port 端口" in finding.fix


def test_accounts_marked_sandbox_with_the_sandbox_off_are_named() -> None:
    [finding] = platform_findings([], "s.toml", ("账号 a", "应用 b"))
    assert finding.status is Status.SKIP
    assert finding.detail.startswith("账号 a、应用 b 标记为 sandbox = true，而 [sandbox] enabled")
    assert platform_findings([], "s.toml")[0].detail == "设置中没有账号或企业微信应用"


def test_a_malformed_key_gets_its_own_fix_not_the_demo_values() -> None:
    problem = (
        "环境变量 NEWMEDIA_SECRET_KEY 太短（8 个字符）— 至少 32 个字符；生成一个：python3 -c x"
    )
    s = SecretFacts(False, (), (), 4, malformed=(problem,))
    [finding] = secrets_findings(s)
    assert finding.status is Status.FAIL
    assert finding.detail == "环境变量 NEWMEDIA_SECRET_KEY 太短（8 个字符）"
    assert finding.fix.startswith("至少 32 个字符；生成一个：python3 -c x；写进服务的环境文件")
    assert production_findings(s)[0].status is Status.OK


def test_every_default_cover_is_looked_up_in_the_folder_the_service_reads(tmp_path: Path) -> None:
    f = SettingsFile.model_validate(tomllib.loads((ROOT / "settings.toml").read_text("utf-8")))
    settings = tmp_path / "settings.toml"
    found = gather_covers(f, settings, {"NEWMEDIA_MEDIA_ROOT": str(ROOT / "media")})
    assert found.refused == () and found.checked == 2  # the WeChat accounts only
    found = gather_covers(f, settings, {})  # media/ beside the settings: not there
    assert found.media_root == str(tmp_path / "media")
    assert [(key, setting) for key, setting, _ in found.refused] == [
        ("ccmz_wechat", "accounts[0].default_cover"),
        ("ccyl_wechat", "accounts[2].default_cover"),
    ]
    findings = cover_findings(found)
    assert {x.status for x in findings} == {Status.FAIL}
    assert f"把封面图片放进 {tmp_path / 'media'}，" in findings[0].fix
    assert cover_findings(CoverFacts("/m"))[0].status is Status.OK


def test_a_missing_service_key_is_set_with_how_to_make_it() -> None:
    problem = (
        "未设置环境变量 NEWMEDIA_TOKEN_KEY（加密保存平台 access_token 的 Fernet 密钥）— "
        "生产模式必须设置；生成一个：/opt/newmedia/.venv/bin/python -c x"
    )
    [finding] = secrets_findings(SecretFacts(False, (problem,), (), 4))
    assert "设置 NEWMEDIA_TOKEN_KEY（生成一个：/opt/newmedia/.venv/bin/python -c x）" in finding.fix
