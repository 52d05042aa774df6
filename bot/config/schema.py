"""The settings schema: ``settings.toml`` holds everything but secrets.

Validation collects every problem at once; ``bot.config.load`` turns them into messages that
name the file, the key, the value found and what is expected.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from channels.weibo.links import template_problem
from review.draft_rules import KINDS

KEY_PATTERN = r"^[a-z0-9_]+$"
ROLES = frozenset({"editor", "reviewer", "head", "replier", "admin", "operator"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceSettings(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    #: how platforms (and the sandbox) reach this service's callbacks
    public_url: str = "http://127.0.0.1:8080"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_body_bytes: int = Field(65536, ge=1024)
    #: a client must deliver a request's head, and then its body, within this many seconds
    #: (slow clients would otherwise hold connections open); idle keep-alive ends after it too
    read_timeout_s: float = Field(15, gt=0, le=300)
    #: serving processes on the port (``newmedia serve --workers``); about one per core
    workers: int = Field(1, ge=1, le=32)
    #: reverse proxies (addresses or networks) whose X-Forwarded-For / X-Forwarded-Proto are
    #: believed; from any other peer those headers are ignored
    trusted_proxies: tuple[str, ...] = ()

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            ipaddress.ip_network(item, strict=False)  # ValueError names the bad entry
        return value


class ConsoleSettings(_Strict):
    """Console sessions end after ``idle_minutes`` without a page and ``absolute_hours`` after
    sign-in; sign-in failures are limited per client address (and per person a token names)."""

    idle_minutes: int = Field(30, ge=1, le=24 * 60)
    absolute_hours: float = Field(8, gt=0, le=24 * 7)
    failures_per_address: int = Field(10, ge=1)
    failures_per_person: int = Field(5, ge=1)
    failure_window_minutes: int = Field(15, ge=1, le=24 * 60)


class DatabaseSettings(_Strict):
    url: str = "sqlite:///var/newmedia.db"
    pool_size: int = Field(10, ge=1, le=200)


class Stage(_Strict):
    """One stage of a review chain."""

    name: str = Field(min_length=1, max_length=32)
    department: str = Field(pattern=KEY_PATTERN)
    #: "reviewer" or "head" (终审 by the department head)
    role: Literal["reviewer", "head"] = "reviewer"
    #: only for these kinds (e.g. 法制审核 for 政策解读); empty = every draft
    kinds: tuple[str, ...] = ()


class ReviewSettings(_Strict):
    lease_hours: float = Field(4, gt=0, le=72)
    expiry_warning_minutes: int = Field(30, ge=1)


class PublishingSettings(_Strict):
    #: the publisher wakes at each post's due time (and, on PostgreSQL, when another replica
    #: schedules one); this is only its fallback poll, and the retry/reconcile ticks' period
    tick_seconds: float = Field(1.0, gt=0, le=60)
    #: a ceiling on the rows one claim takes: of the rows already due a claim takes only the
    #: free call slots (concurrency_per_account × accounts); of the rows not yet due (see
    #: prepare_ahead_seconds) up to this many more per claim
    batch_size: int = Field(200, ge=1, le=5000)
    #: platform calls at once per account; also how many rows already due a claim holds per
    #: account (a crash leaves them claimed, and never-sent ones go back by themselves)
    concurrency_per_account: int = Field(8, ge=1, le=64)
    lease_seconds: int = Field(120, ge=10)
    #: a post is claimed and its private steps done (WeChat draft and uploads, rendering) up to
    #: this long before it is due, then its public call waits for the due time: a burst of posts
    #: due at the same minute goes out on time; 0: nothing is prepared ahead
    prepare_ahead_seconds: float = Field(2.0, ge=0, le=30)
    #: at most this many posts held by one process while posts not yet due are claimed (being
    #: prepared, waiting for their due time or being sent); a crash hands the unsent ones back
    #: by themselves when their lease runs out: none was marked sending
    prepare_ahead_rows: int = Field(1000, ge=0, le=10000)
    max_attempts: int = Field(5, ge=1, le=50)
    backoff_base_seconds: float = Field(30, gt=0)
    backoff_cap_seconds: float = Field(1800, gt=0)
    dormant_alert_days: tuple[int, ...] = (7, 10, 14)
    #: each account's WeChat token is refreshed by one replica, the holder of its lease
    #: (bot/publishing/token_refresh.py): a round this often, the lease lasting three rounds
    token_refresh_seconds: float = Field(60.0, gt=0, le=600)
    #: a token is refreshed this long before it runs out (the accounts page's 即将过期 too)
    token_refresh_ahead_seconds: float = Field(600.0, ge=60, le=86400)


class InboxSettings(_Strict):
    default_deadline_days: int = Field(3, ge=1, le=60)
    topic_deadline_days: dict[str, int] = Field(default_factory=dict)
    reminder_hours_before: int = Field(24, ge=1)
    #: hours before a message's reply window closes (WeChat, Weibo private messages: 48 h after
    #: the citizen's last message) that its department's repliers are reminded, and its head told
    window_reminder_hours: tuple[float, ...] = (24, 6)
    window_escalate_hours: float = Field(2, gt=0, lt=48)
    #: an unanswered message whose deadline falls after its window gets an automatic interim
    #: reply (templates/replies/interim.j2) this many hours before the window closes; 0: never
    interim_hours_before_close: float = Field(4, ge=0, lt=48)
    timestamp_window_seconds: int = Field(300, ge=10, le=3600)
    #: Weibo comments, status @mentions and comment @mentions are each read every poll; every
    #: page read is one call of the account's one daily budget, spread over the Beijing day
    #: (``bot/inbox/weibo_poll.py``): 3 × 72 polls a day would want 216 calls
    weibo_poll_minutes: int = Field(20, ge=1)
    weibo_daily_call_budget: int = Field(60, ge=1)
    #: WeChat article comments: how often they are pulled, and for articles of how many days
    wechat_comment_poll_minutes: int = Field(10, ge=1)
    wechat_comment_days: int = Field(7, ge=1, le=90)
    #: 办事指南 seed and fillers (TOML, relative to this file): its entries become approved
    #: 办事指南 entries of the 口径 library at first start (``newmedia wording import-guide``);
    #: from then on answers change only through the library's review (``newmedia wording``).
    #: Its ``fillers`` are still read live. Unset: the packaged examples
    #: (review/data/keyword_answers.toml)
    keyword_answers_file: str | None = None

    @field_validator("window_reminder_hours")
    @classmethod
    def _window_hours(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        bad = [h for h in value if not 0 < h < 48]
        if bad:
            raise ValueError(f"窗口提醒时点 {bad} 不在 0 到 48 小时之间（回复窗口为 48 小时）")
        if len(set(value)) != len(value):
            raise ValueError("窗口提醒时点有重复，请每个小时数只写一次，如 [24, 6]")
        return value

    @field_validator("topic_deadline_days")
    @classmethod
    def _topic_days(cls, value: dict[str, int]) -> dict[str, int]:
        bad = sorted(topic for topic, days in value.items() if not 1 <= days <= 60)
        if bad:
            raise ValueError(f"主题 {bad} 的答复期限应为 1 到 60 个工作日")
        return value


class WordingsSettings(_Strict):
    """The 口径 library (review/wordings/): who reviews an entry, and the 办事指南 clock."""

    #: stages after the owning department's own review (e.g. 保密审查, 法制审核); ``kinds``
    #: narrows a stage to "口径" or "办事指南" entries; empty = the owner department alone
    stages: tuple[Stage, ...] = ()
    #: who owns the 办事指南 entries imported from ``[inbox] keyword_answers_file`` (a
    #: department key); unset = the first department listed
    guide_owner: str | None = None
    #: a changed 办事指南 entry must be approved and live within this many working days
    guide_live_working_days: int = Field(1, ge=1, le=10)
    #: its reviewers are reminded this many hours before that limit; the head once it passed
    guide_reminder_hours_before: int = Field(4, ge=1, le=72)


class ListsSettings(_Strict):
    """The bureau's own word lists for the gate (relative to this file), added to the shipped
    ones and re-read when edited. Unset: the shipped list alone."""

    #: 错敏词表: more entries, leaders and their titles, title order, exceptions, [[disable]]
    wording_file: str | None = None
    #: the bureau's public numbers (hotlines, its units): not personal data
    public_numbers_file: str | None = None
    #: extra duty terms ([[area]] name/strong/weak, [[other]])
    duties_file: str | None = None
    #: how often (seconds) the files' modification times are looked at
    check_seconds: float = Field(5, gt=0, le=3600)


class CalendarSettings(_Strict):
    """Holidays and 调休 workdays for years ``chinese-calendar`` does not know yet."""

    extra_holidays: tuple[str, ...] = ()
    extra_workdays: tuple[str, ...] = ()


class DisclosureSettings(_Strict):
    """The seed's clocks: 谁起草、谁解读 and the quarterly press item (review.interpretations,
    review.press)."""

    #: a 规范性文件's 政策解读 is published within this many working days of it
    interpretation_working_days: int = Field(3, ge=1, le=30)
    #: press releases / conferences (新闻发布稿 / 新闻发布会) each quarter at least
    press_quarterly_minimum: int = Field(1, ge=0, le=100)


class DigestSettings(_Strict):
    """The weekly digest to each department head (review.digest), in Beijing time."""

    enabled: bool = True
    #: ISO weekday: 1 = Monday … 7 = Sunday
    weekday: int = Field(1, ge=1, le=7)
    time: str = Field("09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    #: reply windows closing within this many hours are listed
    window_hours: float = Field(48, gt=0, le=168)


class Department(_Strict):
    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1)
    head: str | None = None
    #: duty areas (see duties.md) whose citizen messages this department answers
    topics: tuple[str, ...] = ()


class Person(_Strict):
    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1)
    department: str = Field(pattern=KEY_PATTERN)
    roles: tuple[str, ...]
    wecom: str | None = None
    openid: str | None = None

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - ROLES)
        if unknown:
            raise ValueError(f"不认识的角色 {unknown} — 应为以下之一：{sorted(ROLES)}")
        return value


class Account(_Strict):
    key: str = Field(pattern=KEY_PATTERN)
    platform: Literal["wechat", "weibo"]
    name: str = Field(min_length=1)
    owner: str = Field(pattern=KEY_PATTERN)
    sandbox: bool = True
    #: WeChat AppID / Weibo app key (public identifiers, not secrets)
    app_id: str = ""
    #: base URL of the platform API; empty = the real platform or, with sandbox, the sandbox
    api_base: str = ""
    callback_mode: Literal["plain", "compat", "aes"] = "aes"
    push_to_followers: bool = False
    #: Weibo: the app's registered safe domain; links in posts point there
    safe_domain: str | None = None
    #: Weibo: each article's own page on the safe domain, ``{draft}`` = the draft number
    #: (``https://mzj.changchun.gov.cn/art/{draft}.html``); a status links there, never to the
    #: site's root, so a body cut to 140 characters is read in full (``channels.weibo.links``)
    article_url_template: str | None = None
    #: cover image used when a WeChat draft brings none (path inside the ``[media]`` folder)
    default_cover: str | None = None
    #: daily time slots ("09:00") used when an approved draft has no time of its own
    slots: tuple[str, ...] = ("09:00", "17:00")
    review_chain: tuple[Stage, ...] = Field(min_length=1)
    #: WeChat: the draft kinds whose articles go out with comments (留言) open, e.g.
    #: ["工作动态", "政策解读"]; every other kind goes out closed
    open_comments_kinds: tuple[str, ...] = ()
    #: WeChat: only followers may comment on those articles
    only_fans_can_comment: bool = False

    @model_validator(mode="after")
    def _comment_kinds(self) -> Account:
        unknown = [k for k in self.open_comments_kinds if k not in KINDS]
        if unknown:
            raise ValueError(
                f"open_comments_kinds 含未知的稿件类型「{'、'.join(unknown)}」，"
                f"可选：{'、'.join(KINDS)}"
            )
        if self.open_comments_kinds and self.platform != "wechat":
            raise ValueError("open_comments_kinds 只适用于微信公众号账号（微博评论始终开放）")
        return self

    @model_validator(mode="after")
    def _article_pages(self) -> Account:
        if self.platform != "weibo":
            return self
        if not self.article_url_template:
            raise ValueError(
                "微博账号须填写 article_url_template（文章页地址，含 {draft}），"
                "微博只能容纳 140 字，全文要链接到文章本身的页面"
            )
        problem = template_problem(self.article_url_template, self.safe_domain)
        if problem:
            raise ValueError(f"article_url_template = {self.article_url_template!r} — {problem}")
        return self


class WeComApp(_Strict):
    key: str = Field(pattern=KEY_PATTERN)
    corp_id: str
    agent_id: int
    sandbox: bool = True
    api_base: str = ""


class SandboxSettings(_Strict):
    enabled: bool = True
    latency_ms: float = Field(5, ge=0)
    publish_delay_seconds: float = Field(1.0, ge=0)
    token_ttl_seconds: int = Field(7200, ge=1)


class MediaSettings(_Strict):
    """Covers and body images are read only from this folder (relative to the settings file)."""

    root: str = "media"
    #: largest image accepted at upload, create, edit and publish (platform limits still apply)
    max_bytes: int = Field(10 * 1024 * 1024, gt=0)


class MetricsSettings(_Strict):
    """``GET /metrics`` (Prometheus text format, bot/metrics/): never public."""

    enabled: bool = True
    #: addresses or networks that may read it, judged from the peer (behind
    #: ``[service] trusted_proxies``, from X-Forwarded-For as the console does)
    allow_from: tuple[str, ...] = ("127.0.0.1", "::1")
    #: the database gauges are read at most this often (a scrape storm reads a cached copy)
    cache_seconds: float = Field(5, ge=0, le=300)
    #: citizens' reply windows closing within this many hours are counted
    window_closing_hours: float = Field(6, gt=0, le=48)

    @field_validator("allow_from")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            ipaddress.ip_network(item, strict=False)  # ValueError names the bad entry
        return value


class SettingsFile(_Strict):
    """The shape of ``settings.toml``."""

    service: ServiceSettings = ServiceSettings()
    console: ConsoleSettings = ConsoleSettings()
    database: DatabaseSettings = DatabaseSettings()
    review: ReviewSettings = ReviewSettings()
    publishing: PublishingSettings = PublishingSettings()
    inbox: InboxSettings = InboxSettings()
    lists: ListsSettings = ListsSettings()
    wordings: WordingsSettings = WordingsSettings()
    calendar: CalendarSettings = CalendarSettings()
    disclosure: DisclosureSettings = DisclosureSettings()
    digest: DigestSettings = DigestSettings()
    sandbox: SandboxSettings = SandboxSettings()
    media: MediaSettings = MediaSettings()
    metrics: MetricsSettings = MetricsSettings()
    departments: tuple[Department, ...] = Field(min_length=1)
    people: tuple[Person, ...] = ()
    accounts: tuple[Account, ...] = ()
    wecom_apps: tuple[WeComApp, ...] = ()
