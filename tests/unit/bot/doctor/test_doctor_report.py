"""The report: findings in the order an operator fixes them, one clock line per host, the fix
printed under each problem only, and the JSON an automation reads."""

from __future__ import annotations

from bot.doctor.facts import (
    ClockReading,
    CoverFacts,
    DatabaseFacts,
    Facts,
    ProbeFacts,
    SecretFacts,
    ServiceFacts,
    SettingsFacts,
)
from bot.doctor.report import as_json, evaluate, render_text


def _probe(url: str, clock: ClockReading) -> ProbeFacts:
    return ProbeFacts(
        "账号 a", "accounts[0].api_base", "wechat", url, "api_base", "reachable", 404, "", clock
    )


FACTS = Facts(
    SettingsFacts("s.toml", True, True, (), False, 2, 0),
    SecretFacts(False, (), (), 2),
    ServiceFacts(False, "https://mzj.example.gov.cn", ("127.0.0.1",), 300),
    DatabaseFacts(
        "postgresql", "db:5432/nm", True, current="0013", head="0014",
        clock=ClockReading("数据库服务器", 0.2, 0.01, kind="database"),
    ),
    (
        _probe("http://sb:9/wechat", ClockReading("sb:9", 301.0, 1.0)),
        _probe("http://sb:9/weibo", ClockReading("sb:9", 300.5, 1.0)),
    ),
    covers=CoverFacts("/srv/newmedia/media", (), 1),
)  # fmt: skip


def test_findings_come_in_the_order_they_are_fixed() -> None:
    checks = [f.check for f in evaluate(FACTS)]
    assert checks == [
        "settings", "secrets", "production", "database", "migrations", "covers", "platform",
        "platform", "clock", "clock", "public_url",
    ]  # fmt: skip


def test_bases_on_one_host_give_one_clock_line() -> None:
    clocks = [f for f in evaluate(FACTS) if f.check == "clock"]
    assert [f.name for f in clocks] == ["时钟（sb:9）", "时钟（数据库服务器）"]
    assert "301 秒" in clocks[0].detail


def test_the_text_has_a_mark_per_line_and_a_fix_under_each_problem() -> None:
    lines = render_text(evaluate(FACTS)).splitlines()
    assert lines[0] == "newmedia doctor"
    assert lines[5] == "✗ 数据库迁移：数据库的迁移版本是 0013，代码需要 0014"
    assert lines[6].startswith("    修复：运行 newmedia db upgrade")
    assert sum(line.startswith("    修复：") for line in lines) == 2  # the migration, the clock
    assert (
        lines[-1] == "发现 1 项错误、1 项警告：请按上面的「修复」逐项处理后再运行 newmedia doctor。"
    )


def test_the_json_carries_the_exit_code_and_every_finding() -> None:
    report = as_json(evaluate(FACTS))
    assert report["ok"] is False and report["exit_code"] == 1
    assert len(report["findings"]) == 11
    assert set(report["findings"][0]) == {"check", "name", "status", "detail", "fix"}
