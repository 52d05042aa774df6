"""The doctor's rules for settings, secrets, database, migrations and the public address: each
finding, its mark and the fix it prints."""

from __future__ import annotations

import pytest

from bot.doctor.facts import DatabaseFacts, DbError, SecretFacts, ServiceFacts, SettingsFacts
from bot.doctor.findings import EXIT_FAIL, EXIT_OK, EXIT_WARN, Status, exit_code, fail, ok, warn
from bot.doctor.rules import (
    database_findings,
    migration_findings,
    production_findings,
    public_url_findings,
    secrets_findings,
    settings_findings,
)


def test_a_missing_file_says_where_it_looked_and_how_to_name_it() -> None:
    [f] = settings_findings(SettingsFacts("/etc/newmedia/settings.toml", False, False, ()))
    assert f.status is Status.FAIL
    assert "找不到设置文件：/etc/newmedia/settings.toml" in f.detail
    assert "--settings" in f.fix and "NEWMEDIA_SETTINGS" in f.fix


def test_every_settings_problem_is_listed_in_one_finding() -> None:
    problems = (
        "people[0].department = 'x' — 应为以下之一：['office']",
        "service.port = 0 — 应不小于 1",
    )
    [f] = settings_findings(SettingsFacts("s.toml", True, True, problems))
    assert f.status is Status.FAIL
    assert f.detail.splitlines() == ["s.toml 有 2 处问题：", f"- {problems[0]}", f"- {problems[1]}"]
    assert "修改 s.toml" in f.fix


def test_settings_that_load_say_the_mode_and_what_they_hold() -> None:
    [f] = settings_findings(SettingsFacts("s.toml", True, True, (), False, 3, 1))
    assert f.status is Status.OK
    assert f.detail == "s.toml 可以加载（生产模式，3 个账号，1 个企业微信应用）"


MISSING = "账号 ccmz_wechat（accounts[0]）缺少环境变量 NEWMEDIA_CCMZ_WECHAT_TOKEN、NEWMEDIA_CCMZ_WECHAT_AES_KEY — 正式账号的密钥只能来自环境变量"


def test_each_missing_secret_is_a_failure_whose_fix_names_the_variables() -> None:
    other = "未设置环境变量 NEWMEDIA_SECRET_KEY（控制台会话密钥）— 生产模式必须设置"
    found = secrets_findings(SecretFacts(False, (MISSING, other), (), 4))
    assert [f.status for f in found] == [Status.FAIL, Status.FAIL]
    assert found[0].detail == MISSING
    assert "NEWMEDIA_CCMZ_WECHAT_TOKEN、NEWMEDIA_CCMZ_WECHAT_AES_KEY" in found[0].fix
    assert "环境文件" in found[0].fix and "重启" in found[0].fix
    assert "NEWMEDIA_SECRET_KEY" in found[1].fix


def test_secrets_all_set_say_so_without_values() -> None:
    [prod] = secrets_findings(SecretFacts(False, (), (), 4))
    assert prod.status is Status.OK and "4 个账号和企业微信应用" in prod.detail
    [demo] = secrets_findings(SecretFacts(True, (), (), 4))
    assert demo.status is Status.OK and "演示值" in demo.detail


def test_without_settings_the_secrets_are_not_checked() -> None:
    assert [f.status for f in secrets_findings(None) + production_findings(None)] == [
        Status.SKIP,
        Status.SKIP,
    ]


def test_demo_values_in_production_fail_with_the_reason_they_are_refused() -> None:
    problem = "账号 ccmz_wechat（accounts[0]）：环境变量 NEWMEDIA_CCMZ_WECHAT_TOKEN 是公开的演示值"
    [f] = production_findings(SecretFacts(False, (), (problem,), 4))
    assert f.status is Status.FAIL and f.detail == problem
    assert "公开的" in f.fix and "sandbox = false" in f.fix
    [demo] = production_findings(SecretFacts(True, (), (), 4))
    assert demo.status is Status.OK and "演示模式" in demo.detail


@pytest.mark.parametrize(
    ("error", "words", "fix"),
    [
        ("refused", "连接被拒绝", "systemctl status postgresql"),
        ("dns", "主机名无法解析", "NEWMEDIA_DATABASE_URL"),
        ("timeout", "没有应答（超时）", "防火墙"),
        ("auth", "数据库拒绝了这个用户或密码", "pg_hba.conf"),
        ("unknown_database", "数据库不存在", "createdb"),
        ("cannot_open", "无法打开数据库文件", "可以读写"),
        ("other", "无法使用", "NEWMEDIA_DATABASE_URL"),
    ],
)
def test_each_database_failure_has_its_words_and_fix(error: DbError, words: str, fix: str) -> None:
    facts = DatabaseFacts("postgresql", "db:5432/newmedia", True, error, "driver says")
    [f] = database_findings(facts)
    assert f.status is Status.FAIL
    assert f.detail == f"PostgreSQL db:5432/newmedia：{words}（driver says）"
    assert fix in f.fix
    [m] = migration_findings(facts)
    assert m.status is Status.SKIP


def test_a_database_not_yet_created_is_fine_for_sqlite() -> None:
    facts = DatabaseFacts("sqlite", "/srv/var/newmedia.db", False, head="0014")
    assert [f.status for f in database_findings(facts) + migration_findings(facts)] == [
        Status.OK,
        Status.OK,
    ]
    assert "自动创建" in database_findings(facts)[0].detail


def test_an_unusable_url_skips_the_database_and_points_at_settings() -> None:
    [f] = database_findings(None, unusable=True)
    assert f.status is Status.SKIP and "见「设置」" in f.detail


def test_migrations_at_head_pass() -> None:
    facts = DatabaseFacts("postgresql", "h:5432/d", True, current="0014", head="0014")
    [f] = migration_findings(facts)
    assert f.status is Status.OK and "0014" in f.detail


def test_postgresql_behind_fails_and_says_db_upgrade() -> None:
    facts = DatabaseFacts("postgresql", "h:5432/d", True, current="0013", head="0014")
    [f] = migration_findings(facts)
    assert f.status is Status.FAIL
    assert f.detail == "数据库的迁移版本是 0013，代码需要 0014"
    assert f.fix.startswith("运行 newmedia db upgrade")


def test_postgresql_never_migrated_says_so() -> None:
    [f] = migration_findings(DatabaseFacts("postgresql", "h:5432/d", True, head="0014"))
    assert f.status is Status.FAIL
    assert f.detail == "数据库从未迁移（没有 alembic_version 表），代码需要 0014"


def test_a_database_newer_than_the_code_says_not_to_downgrade() -> None:
    known = frozenset({"0013", "0014"})
    facts = DatabaseFacts("postgresql", "h:5432/d", True, current="0015", head="0014", known=known)
    [f] = migration_findings(facts)
    assert f.status is Status.FAIL and "比这份代码新" in f.detail and "不要把数据库降级" in f.fix


def test_sqlite_behind_only_warns_it_upgrades_itself() -> None:
    facts = DatabaseFacts("sqlite", "/srv/var/newmedia.db", True, current="0013", head="0014")
    [f] = migration_findings(facts)
    assert f.status is Status.WARN
    assert "自动升级" in f.fix and "newmedia db upgrade" in f.fix


def _service(url: str, proxies: tuple[str, ...] = (), demo: bool = False) -> ServiceFacts:
    return ServiceFacts(demo, url, proxies, 300)


def test_a_production_public_url_on_loopback_fails() -> None:
    [f] = public_url_findings(_service("http://127.0.0.1:8080"))
    assert f.status is Status.FAIL and "本机地址" in f.detail
    assert "[service] public_url" in f.fix


def test_plain_http_in_production_warns() -> None:
    [f] = public_url_findings(_service("http://mzj.example.gov.cn", ("127.0.0.1",)))
    assert f.status is Status.WARN and "不是 https" in f.detail
    assert "trusted_proxies" in f.fix


def test_https_without_trusted_proxies_warns() -> None:
    [f] = public_url_findings(_service("https://mzj.example.gov.cn"))
    assert f.status is Status.WARN and "X-Forwarded-Proto" in f.detail
    assert 'trusted_proxies = ["127.0.0.1"]' in f.fix


def test_trusting_every_address_fails() -> None:
    found = public_url_findings(_service("https://mzj.example.gov.cn", ("0.0.0.0/0",)))
    assert [f.status for f in found] == [Status.FAIL]
    assert "伪造" in found[0].detail


def test_a_good_production_address_and_the_demo_pass() -> None:
    [f] = public_url_findings(_service("https://mzj.example.gov.cn", ("127.0.0.1",)))
    assert f.status is Status.OK
    [d] = public_url_findings(_service("http://127.0.0.1:8080", demo=True))
    assert d.status is Status.OK


def test_a_public_url_that_is_not_a_url_fails() -> None:
    [f] = public_url_findings(_service("mzj.example.gov.cn"))
    assert f.status is Status.FAIL and "不是完整的网址" in f.detail


def test_the_exit_code_is_the_worst_finding() -> None:
    good, bad, meh = ok("a", "A", "x"), fail("b", "B", "y", "z"), warn("c", "C", "y", "z")
    assert exit_code([good]) == EXIT_OK == 0
    assert exit_code([good, meh]) == EXIT_WARN == 3
    assert exit_code([meh, bad, good]) == EXIT_FAIL == 1
