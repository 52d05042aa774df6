"""What a sandbox is made of: its accounts and its knobs (all times in seconds)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

#: ``event_sink(account_key, event)``: the lead wires it to the signed OA callback
EventSink = Callable[[str, dict[str, str]], Awaitable[None]]


@dataclass(frozen=True)
class WeChatAccount:
    account_key: str
    appid: str
    secret: str = field(repr=False)
    gh_id: str = ""  # the OA's original id (ToUserName in events); defaults to gh_<appid>
    name: str = ""  # shown on the timeline page
    #: the account may manage article comments (without it every comment API answers 88000)
    comment_privilege: bool = True


@dataclass(frozen=True)
class WeiboAccount:
    account_key: str
    access_token: str = field(repr=False)
    uid: str
    safe_domain: str  # statuses/share insists on a link under this domain (else 10017)
    name: str = ""


@dataclass(frozen=True)
class WeComCorp:
    corpid: str
    corpsecret: str = field(repr=False)
    agentid: int
    userids: tuple[str, ...]  # valid recipients; anyone else is reported in invaliduser
    name: str = ""


@dataclass
class SandboxConfig:
    wechat: tuple[WeChatAccount, ...] = (
        WeChatAccount("wechat-main", "wx00000000demo0001", "sandbox-secret", name="示例市民政局"),
    )
    weibo: tuple[WeiboAccount, ...] = (
        WeiboAccount(
            "weibo-main",
            "sandbox-weibo-token",
            "5000000001",
            "mzj.example.gov.cn",
            name="示例市民政局",
        ),
    )
    wecom: tuple[WeComCorp, ...] = (
        WeComCorp(
            "ww00000000demo0001",
            "sandbox-corpsecret",
            1000002,
            ("zhangsan", "lisi"),
            "示例市民政局",
        ),
    )
    token_ttl: float = 7200.0
    #: stable_token normal mode hands out a new token this long before the old one expires
    token_renew_window: float = 300.0
    #: freepublish/get answers 1 (publishing) for this long after submit, then the outcome
    publish_delay: float = 0.05
    reject_marker: str = "【测试:平台拒绝】"
    mass_quota_per_day: int = 1
    cs_window: float = 48 * 3600.0
    cs_max_messages: int = 5
    weibo_max_chars: int = 140
    #: calls per account per clock hour before Weibo answers 10023 (None: unlimited)
    weibo_calls_per_hour: int | None = None
    #: comments the account may write (reply, create) per clock hour before 10024 (None: any)
    weibo_comments_per_hour: int | None = None
    #: artificial latency of every API call (benchmarks use ~0.005)
    latency: float = 0.0
    #: prefix of the URLs the sandbox hands out (images, article pages)
    public_url: str = "/sandbox"
    event_sink: EventSink | None = None
    clock: Callable[[], float] = field(default=time.time)
