"""The doctor's platform and clock rules: each outcome of a probe, and drift reported only
beyond doubt (a reading's uncertainty is taken off first)."""

from __future__ import annotations

import pytest

from bot.doctor.facts import ClockReading, ProbeFacts, ProbeOutcome
from bot.doctor.findings import Status
from bot.doctor.network_rules import clock_finding, clock_findings, platform_findings, probe_finding

SANDBOX = ProbeFacts(
    "账号 ccmz_wechat", "accounts[0].api_base", "wechat", "http://127.0.0.1:9177/wechat", "api_base"
)
REAL = ProbeFacts(
    "账号 ccmz_wechat", "accounts[0].api_base", "wechat", "https://api.weixin.qq.com", "default"
)


def _with(p: ProbeFacts, outcome: ProbeOutcome, said: str = "") -> ProbeFacts:
    return ProbeFacts(p.target, p.setting, p.platform, p.url, p.mode, outcome, None, said)


def test_a_reachable_base_passes_with_its_status() -> None:
    p = SANDBOX
    f = probe_finding(ProbeFacts(p.target, p.setting, p.platform, p.url, p.mode, "reachable", 404))
    assert f.status is Status.OK
    assert f.name == "微信公众号 账号 ccmz_wechat"
    assert f.detail == "http://127.0.0.1:9177/wechat 可以访问（HTTP 404）"


def test_the_in_process_sandbox_is_not_asked() -> None:
    p = ProbeFacts(
        "账号 a", "accounts[0].api_base", "weibo", "http://x/sandbox/weibo", "in_process"
    )
    f = probe_finding(p)
    assert f.status is Status.OK and "进程内" in f.detail


def test_a_refused_sandbox_base_says_to_start_it_or_fix_api_base() -> None:
    f = probe_finding(_with(SANDBOX, "refused", "[Errno 111] Connect call failed"))
    assert f.status is Status.FAIL
    assert f.detail == "http://127.0.0.1:9177/wechat：连接被拒绝（[Errno 111] Connect call failed）"
    assert "python -m bot.sandbox_server" in f.fix and "accounts[0].api_base" in f.fix


def test_a_real_platform_out_of_reach_points_at_the_firewall() -> None:
    f = probe_finding(_with(REAL, "timeout", "5 秒"))
    assert f.status is Status.FAIL and "超时" in f.detail
    assert "防火墙" in f.fix and "https://api.weixin.qq.com" in f.fix


@pytest.mark.parametrize(
    ("outcome", "words", "fix"),
    [
        ("dns", "域名无法解析", "/etc/resolv.conf"),
        ("tls", "TLS 握手失败", "ca-certificates"),
        ("other", "无法访问", "防火墙"),
    ],
)
def test_other_failures_name_their_cause(outcome: ProbeOutcome, words: str, fix: str) -> None:
    f = probe_finding(_with(REAL, outcome, "why"))
    assert f.status is Status.FAIL and f.detail == f"https://api.weixin.qq.com：{words}（why）"
    assert fix in f.fix


def test_no_accounts_is_fine() -> None:
    assert [f.status for f in platform_findings(())] == [Status.OK]


def test_a_small_drift_passes() -> None:
    f = clock_finding(ClockReading("api.weixin.qq.com", 12.0, 1.0), 300)
    assert f.status is Status.OK and f.detail == "与 api.weixin.qq.com 相差不到 13 秒"


def test_five_minutes_off_warns_and_says_why_it_matters() -> None:
    f = clock_finding(ClockReading("127.0.0.1:9", 300.2, 1.01), 300)
    assert f.status is Status.WARN
    assert f.detail.startswith("本机时钟比 127.0.0.1:9 慢约 300 秒")
    assert "timestamp_window_seconds（300 秒）" in f.detail
    assert "timedatectl set-ntp true" in f.fix


def test_a_drift_beyond_the_callback_window_fails() -> None:
    f = clock_finding(ClockReading("api.weixin.qq.com", -900.0, 1.0), 300)
    assert f.status is Status.FAIL and "快约 900 秒" in f.detail


def test_the_uncertainty_is_taken_off_before_judging() -> None:
    assert clock_finding(ClockReading("slow.example", 40.0, 15.0), 300).status is Status.OK


def test_the_database_clock_asks_for_ntp_on_both_machines() -> None:
    f = clock_finding(ClockReading("数据库服务器", 60.0, 0.01, kind="database"), 300)
    assert f.status is Status.WARN and "租约" in f.detail
    assert "数据库服务器都要" in f.fix


def test_nothing_to_compare_is_fine() -> None:
    assert [f.status for f in clock_findings([], 300)] == [Status.OK]
