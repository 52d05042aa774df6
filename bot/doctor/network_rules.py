"""The doctor's rules for the platforms: reachable or why not, and clocks that drift (pure).

A probe is one unauthenticated GET of an account's API base: no token is fetched or refreshed,
nothing is published. Its ``Date`` header, and the database's ``now()``, are the clocks the
local one is compared with.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.doctor.facts import ClockReading, ProbeFacts
from bot.doctor.findings import Finding, fail, ok, skipped, warn

#: beyond this the local clock is reported as drifting
SKEW_WARN_S = 30.0
PLATFORMS = {"wechat": "微信公众号", "weibo": "微博", "wecom": "企业微信"}
NTP_FIX = (
    "用 NTP 校准时钟：timedatectl set-ntp true（或安装 chrony），"
    "再用 timedatectl status 确认 System clock synchronized: yes"
)


def _reach_fix(p: ProbeFacts, settings_path: str) -> str:
    if p.mode == "api_base":
        return (
            f"确认 {p.url}（{p.setting}）处的服务在运行（预发布环境的沙箱：python -m "
            f"bot.sandbox_server --settings {settings_path} --port 端口），或改正 {p.setting}"
        )
    return (
        f"服务器须能访问 {p.url}：检查防火墙与出网策略（政务外网须放行这个域名的 443 端口）；"
        f"{p.setting} 留空即使用平台的正式地址"
    )


def probe_finding(p: ProbeFacts, settings_path: str = "settings.toml") -> Finding:
    name = f"{PLATFORMS.get(p.platform, p.platform)} {p.target}"
    if p.mode == "in_process":
        return ok(
            "platform", name, f"演示沙箱，由 newmedia serve 在进程内提供（{p.url}），无需联网"
        )
    if p.outcome is None:
        return skipped("platform", name, "未询问")
    said = f"（{p.error_text}）" if p.error_text else ""
    if p.outcome == "reachable":
        return ok("platform", name, f"{p.url} 可以访问（HTTP {p.status}）")
    if p.outcome == "dns":
        return fail(
            "platform",
            name,
            f"{p.url}：域名无法解析{said}",
            f"检查服务器的 DNS（/etc/resolv.conf）与 {p.setting} 中的主机名",
        )
    if p.outcome == "refused":
        return fail("platform", name, f"{p.url}：连接被拒绝{said}", _reach_fix(p, settings_path))
    if p.outcome == "timeout":
        return fail(
            "platform", name, f"{p.url}：没有应答（超时）{said}", _reach_fix(p, settings_path)
        )
    if p.outcome == "tls":
        return fail(
            "platform",
            name,
            f"{p.url}：TLS 握手失败{said}",
            "检查系统时间与 CA 证书（apt-get install ca-certificates）；"
            "经由代理或网关时，确认它没有替换证书",
        )
    return fail("platform", name, f"{p.url}：无法访问{said}", _reach_fix(p, settings_path))


def platform_findings(
    probes: Sequence[ProbeFacts],
    settings_path: str = "settings.toml",
    sandbox_in_production: Sequence[str] = (),
) -> list[Finding]:
    """Each base asked; the accounts marked sandbox outside demo mode have none (the service
    builds no channel for them and refuses to start: 「生产与演示」 says so)."""
    out = [probe_finding(p, settings_path) for p in probes]
    if sandbox_in_production:
        out.append(
            skipped(
                "platform",
                "平台",
                f"{'、'.join(sandbox_in_production)} 标记为 sandbox = true，而 [sandbox] "
                "enabled = false：没有可询问的平台地址，未检查（见「生产与演示」一项）",
            )
        )
    if not out:
        out.append(ok("platform", "平台", "设置中没有账号或企业微信应用"))
    return out


def _consequence(r: ClockReading, window_s: int) -> str:
    if r.kind == "database":
        return "各副本与数据库的时钟应一致：租约、定时发布与到期提醒都按时间比较"
    return (
        "微信等平台按时间戳校验请求与回调，本服务也拒收时间戳偏离超过 [inbox] "
        f"timestamp_window_seconds（{window_s} 秒）的回调"
    )


def clock_finding(r: ClockReading, window_s: int) -> Finding:
    """Only a drift beyond doubt is reported: the reading's uncertainty (round trip, the Date
    header's whole seconds) is taken off first."""
    off = abs(r.offset_s)
    certain = max(0.0, off - r.uncertainty_s)
    name = f"时钟（{r.source}）"
    if certain <= SKEW_WARN_S:
        return ok(
            "clock", name, f"与 {r.source} 相差不到 {max(1, round(off + r.uncertainty_s))} 秒"
        )
    way = "慢" if r.offset_s > 0 else "快"
    detail = f"本机时钟比 {r.source} {way}约 {round(off)} 秒 — {_consequence(r, window_s)}"
    fix = NTP_FIX + ("（本机与数据库服务器都要）" if r.kind == "database" else "")
    if certain > window_s:
        return fail("clock", name, detail, fix)
    return warn("clock", name, detail, fix)


def clock_findings(readings: Sequence[ClockReading], window_s: int) -> list[Finding]:
    if not readings:
        return [
            ok("clock", "时钟", "没有可比较的时钟（没有平台答复 Date，SQLite 用的就是本机时钟）")
        ]
    return [clock_finding(r, window_s) for r in readings]
