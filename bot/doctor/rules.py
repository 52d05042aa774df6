"""The doctor's rules for settings, secrets, the database and the public address: facts in,
findings out (pure). What a setting must look like stays in ``bot.config``: these rules only
sort its problems into checks and say how to fix each."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from bot.config.problems import SettingsNotFound
from bot.doctor.facts import (
    CoverFacts,
    DatabaseFacts,
    DbError,
    SecretFacts,
    ServiceFacts,
    SettingsFacts,
)
from bot.doctor.findings import Finding, fail, ok, skipped, warn

NOT_LOADED = "设置文件未能加载，无法检查（先修复「设置」一项）"
ENV_NAME = re.compile(r"NEWMEDIA_[A-Z0-9_]+")
ENV_FILE = "服务的环境文件（systemd 的 EnvironmentFile，见 docs/deploy.md）"
DEMO_VALUES_FIX = (
    "演示值是公开的，任何人都能从源代码算出：按上面的说明改为 sandbox = false、换用平台提供的"
    f"密钥或新生成的随机值，写进{ENV_FILE}，然后重启服务"
)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "::"})  # noqa: S104 (compared, not bound)


def settings_findings(s: SettingsFacts) -> list[Finding]:
    if not s.found:
        return [
            fail("settings", "设置", f"{SettingsNotFound.WHAT}：{s.path}", SettingsNotFound.HINT)
        ]
    if s.problems:
        listed = "\n".join(f"- {p}" for p in s.problems)
        return [
            fail(
                "settings",
                "设置",
                f"{s.path} 有 {len(s.problems)} 处问题：\n{listed}",
                f"按每一项的说明修改 {s.path}（各设置项的写法见 bot/config/schema.py）",
            )
        ]
    mode = "演示模式" if s.demo else "生产模式"
    return [
        ok(
            "settings",
            "设置",
            f"{s.path} 可以加载（{mode}，{s.accounts} 个账号，{s.wecom_apps} 个企业微信应用）",
        )
    ]


def _set_fix(problem: str) -> str:
    names = "、".join(dict.fromkeys(ENV_NAME.findall(problem))) or "上面列出的环境变量"
    how = problem.partition("生成一个：")[2]  # a key of the service's own: how to make one
    made = f"（生成一个：{how}）" if how else ""
    return f"在{ENV_FILE}中设置 {names}{made}，然后重启服务；密钥不写进 settings.toml"


def _malformed_finding(problem: str) -> Finding:
    """``bot.config`` words a malformed key as "what is wrong — how to make a good one"."""
    what, _, how = problem.partition("—")
    fix = f"{how.strip() or '按上面的说明改正'}；写进{ENV_FILE}，然后重启服务"
    return fail("secrets", "密钥", what.strip(), fix)


def secrets_findings(s: SecretFacts | None) -> list[Finding]:
    """One line per account or key whose variables are missing or malformed; the names,
    never a value."""
    if s is None:
        return [skipped("secrets", "密钥", NOT_LOADED)]
    if s.missing or s.malformed:
        return [fail("secrets", "密钥", p, _set_fix(p)) for p in s.missing] + [
            _malformed_finding(p) for p in s.malformed
        ]
    if s.demo:
        detail = "演示模式：沙箱账号未设置的密钥使用公开的演示值"
    else:
        detail = (
            f"{s.checked} 个账号和企业微信应用所需的环境变量，以及 NEWMEDIA_SECRET_KEY、"
            "NEWMEDIA_TOKEN_KEY 均已设置（不显示它们的值）"
        )
        if s.unchecked:
            detail += f"；另有 {s.unchecked} 个标记为 sandbox = true，未检查（见「生产与演示」）"
    return [ok("secrets", "密钥", detail)]


def production_findings(s: SecretFacts | None) -> list[Finding]:
    """Demo keys and sandbox accounts are refused in production (``bot.config.env_secrets``
    says which; this only reports them)."""
    if s is None:
        return [skipped("production", "生产与演示", NOT_LOADED)]
    if s.values:
        return [fail("production", "生产与演示", p, DEMO_VALUES_FIX) for p in s.values]
    if s.demo:
        detail = (
            "演示模式（[sandbox] enabled = true）：平台是沙箱，密钥是公开的演示值 — "
            "正式上线前改为 enabled = false"
        )
    else:
        detail = "生产模式：没有账号标记为 sandbox，也没有使用公开的演示密钥"
    return [ok("production", "生产与演示", detail)]


DB_WORDS: dict[DbError, tuple[str, str]] = {
    "refused": (
        "连接被拒绝",
        "数据库没有在这个地址监听：确认 PostgreSQL 已启动（systemctl status postgresql），"
        "NEWMEDIA_DATABASE_URL 的主机和端口正确，postgresql.conf 的 listen_addresses 包含该地址",
    ),
    "dns": ("主机名无法解析", "检查 NEWMEDIA_DATABASE_URL 中的主机名（DNS 或 /etc/hosts）"),
    "timeout": (
        "没有应答（超时）",
        "检查数据库主机与端口是否正确，防火墙是否放行（PostgreSQL 默认 5432）",
    ),
    "auth": (
        "数据库拒绝了这个用户或密码",
        "检查 NEWMEDIA_DATABASE_URL 中的用户名和密码，以及 pg_hba.conf；"
        "创建用户：sudo -u postgres createuser --pwprompt {user}",
    ),
    "unknown_database": (
        "数据库不存在",
        "创建它：sudo -u postgres createdb -O {user} {name}，然后运行 newmedia db upgrade",
    ),
    "cannot_open": (
        "无法打开数据库文件",
        "检查 [database] url（或 NEWMEDIA_DATABASE_URL）指向的路径：所在文件夹须存在，"
        "且运行服务的用户可以读写",
    ),
    "other": (
        "无法使用",
        "检查环境变量 NEWMEDIA_DATABASE_URL（或 settings.toml 的 [database] url）",
    ),
}


def database_findings(d: DatabaseFacts | None, *, unusable: bool = False) -> list[Finding]:
    if d is None:
        why = "数据库地址不可用（见「设置」一项）" if unusable else NOT_LOADED
        return [skipped("database", "数据库", why)]
    label = "SQLite" if d.kind == "sqlite" else "PostgreSQL"
    if d.error:
        words, fix = DB_WORDS[d.error]
        fix = fix.format(name=d.name or "库名", user=d.user or "用户名")
        said = f"（{d.error_text}）" if d.error_text else ""
        return [fail("database", "数据库", f"{label} {d.where}：{words}{said}", fix)]
    if not d.exists:
        return [
            ok(
                "database",
                "数据库",
                f"SQLite {d.where} 尚不存在：newmedia serve 或任一命令第一次运行时自动创建",
            )
        ]
    return [ok("database", "数据库", f"{label} {d.where} 可以连接")]


def migration_findings(d: DatabaseFacts | None) -> list[Finding]:
    """PostgreSQL is upgraded by a person (once, before the replicas start); the embedded
    SQLite upgrades itself at start-up, so behind is only a warning there."""
    if d is None or d.error:
        why = "数据库无法连接，无法检查" if d else "数据库未检查（见上一项）"
        return [skipped("migrations", "数据库迁移", why)]
    if not d.exists:
        return [ok("migrations", "数据库迁移", f"创建数据库时自动迁移到 {d.head}")]
    if d.current == d.head:
        return [ok("migrations", "数据库迁移", f"已是最新（{d.head}）")]
    if d.current and d.known and d.current not in d.known:
        return [
            fail(
                "migrations",
                "数据库迁移",
                f"数据库的迁移版本 {d.current} 比这份代码新（代码只到 {d.head}）",
                "换用与数据库相配的新版本代码；不要把数据库降级",
            )
        ]
    if d.current:
        detail = f"数据库的迁移版本是 {d.current}，代码需要 {d.head}"
    else:
        detail = f"数据库从未迁移（没有 alembic_version 表），代码需要 {d.head}"
    if d.kind == "sqlite":
        return [
            warn(
                "migrations",
                "数据库迁移",
                detail,
                "newmedia serve 启动时会自动升级内嵌的 SQLite；也可以现在运行 newmedia db upgrade",
            )
        ]
    return [
        fail(
            "migrations",
            "数据库迁移",
            detail,
            "运行 newmedia db upgrade（升级代码后、启动 newmedia serve 之前；多个副本只需运行一次）",
        )
    ]


def public_url_findings(s: ServiceFacts | None) -> list[Finding]:
    """``[service] public_url`` and ``trusted_proxies``: what platforms call back and what the
    console trusts."""
    if s is None:
        return [skipped("public_url", "对外地址", NOT_LOADED)]
    parts = urlsplit(s.public_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [
            fail(
                "public_url",
                "对外地址",
                f"[service] public_url = {s.public_url!r} 不是完整的网址",
                "写成 https://域名（平台回调与控制台都用这个地址）",
            )
        ]
    out: list[Finding] = []
    if not s.demo and parts.hostname in LOOPBACK_HOSTS:
        out.append(
            fail(
                "public_url",
                "对外地址",
                f"[service] public_url = {s.public_url} 是本机地址：平台从互联网回调，到达不了",
                "把 [service] public_url 改为 nginx 对外的 https://域名，并在各平台后台登记回调地址",
            )
        )
    elif not s.demo and parts.scheme != "https":
        out.append(
            warn(
                "public_url",
                "对外地址",
                f"[service] public_url = {s.public_url} 不是 https：控制台登录与平台回调应加密",
                "在 nginx 上终止 TLS（见 docs/deploy.md），public_url 写 https://…，"
                "并把 nginx 的地址写进 [service] trusted_proxies",
            )
        )
    elif not s.demo and not s.trusted_proxies:
        out.append(
            warn(
                "public_url",
                "对外地址",
                "public_url 是 https，但 [service] trusted_proxies 为空：nginx 转发的 "
                "X-Forwarded-For / X-Forwarded-Proto 不被采信 — 会话 cookie 不带 Secure，"
                "登录失败按 nginx 一个地址计数",
                '在 [service] 中写 trusted_proxies = ["127.0.0.1"]（nginx 所在的地址）',
            )
        )
    wide = [p for p in s.trusted_proxies if ipaddress.ip_network(p, strict=False).prefixlen == 0]
    if wide:
        out.append(
            fail(
                "public_url",
                "可信代理",
                f"[service] trusted_proxies 含 {'、'.join(wide)}：任何人都能伪造 X-Forwarded-For",
                '只列出 nginx 所在的地址或网段，如 ["127.0.0.1"]',
            )
        )
    if not out:
        out.append(ok("public_url", "对外地址", f"{s.public_url}"))
    return out


MEDIA_SETTING = "图片目录由环境变量 NEWMEDIA_MEDIA_ROOT 决定，未设置时为设置文件旁的 [media] root"


def cover_findings(c: CoverFacts | None) -> list[Finding]:
    """Each WeChat account's default cover, by the folder the service really reads."""
    if c is None:
        return [skipped("covers", "默认封面", NOT_LOADED)]
    if not c.refused:
        if not c.checked:
            return [ok("covers", "默认封面", "没有公众号设置 default_cover")]
        return [ok("covers", "默认封面", f"{c.checked} 个账号的默认封面都在 {c.media_root} 中")]
    return [
        fail(
            "covers",
            f"默认封面 {account}",
            f"{setting}：{why} — 这个公众号不带封面的草稿都会被拒（微信图文必须有封面）",
            f"把封面图片放进 {c.media_root}，或改正 {setting}（{MEDIA_SETTING}）",
        )
        for account, setting, why in c.refused
    ]
