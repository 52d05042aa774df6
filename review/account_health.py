"""Each account at a glance (the console's 账号 page): who owns it, its last post, its quiet
days against the 14-day rule, the state of its platform token and the week's platform errors.

The 14 days are the inspection's ``VETO_QUIET_DAYS`` (``review.inspection``: no update for 14
days is a veto), counted as the dormant-account clock counts them (from the account's creation
when it never published). The token state reads only the stored expiry (never the token): a
WeChat token the service cannot open or has not fetched is as good as none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from review.inspection import DEDUCT_QUIET_DAYS, VETO_QUIET_DAYS

#: token states as staff read them
TOKEN_LABELS = {"ok": "正常", "expiring": "即将过期", "invalid": "失效"}


@dataclass(frozen=True)
class Quiet:
    days: int
    level: str  # "ok" | "warn" (7 days: a deduction) | "over" (14: a veto)

    @property
    def left(self) -> int:
        """Days until the 14-day line (0 once reached)."""
        return max(0, VETO_QUIET_DAYS - self.days)


def quiet(last: datetime | None, created: datetime, now: datetime) -> Quiet:
    days = int((now - (last or created)).total_seconds() // 86400)
    level = "over" if days >= VETO_QUIET_DAYS else "warn" if days >= DEDUCT_QUIET_DAYS else "ok"
    return Quiet(days, level)


@dataclass(frozen=True)
class TokenState:
    state: str  # "ok" | "expiring" | "invalid"
    note: str

    @property
    def label(self) -> str:
        return TOKEN_LABELS[self.state]


def wechat_token(expires_at: datetime | None, now: datetime, ahead: timedelta) -> TokenState:
    """A WeChat access token lasts two hours and is refreshed ``ahead`` of its expiry; one still
    inside that margin means the refresh is not getting through."""
    if expires_at is None:
        return TokenState(
            "invalid", "没有可用的访问令牌：服务会自动获取；持续出现请检查 AppSecret 与 IP 白名单"
        )
    if expires_at <= now:
        return TokenState("invalid", "访问令牌已过期，刷新未成功：请检查 AppSecret 与 IP 白名单")
    if expires_at - now <= ahead:
        minutes = max(1, int((expires_at - now).total_seconds() // 60))
        return TokenState("expiring", f"{minutes} 分钟后过期，系统正在刷新")
    return TokenState("ok", "到期前由系统自动刷新")


def weibo_token(configured: bool) -> TokenState:
    """A Weibo token is granted by authorisation and lasts years; the service cannot renew it."""
    if not configured:
        return TokenState("invalid", "未配置微博授权令牌，请重新授权后写入环境变量")
    return TokenState("ok", "已授权（长期有效；平台拒绝时会在下方错误中出现）")


@dataclass(frozen=True)
class PlatformError:
    at: datetime
    publication_id: int
    text: str


@dataclass
class AccountHealth:
    key: str
    name: str
    platform: str
    department: str
    last_at: datetime | None
    last_title: str | None  # None: no post, or one the reader may not read
    last_publication_id: int | None
    quiet: Quiet
    token: TokenState
    errors: list[PlatformError] = field(default_factory=list)
