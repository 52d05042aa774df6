"""The annual figures (政府信息公开年度报告的新媒体部分), computed from plain rows (pure).

``review/store/annual_report.py`` reads the rows; this module counts them: posts per account
and kind, gate blocks by check, review time (median and 90th percentile in working hours,
``review/working_hours.py``), citizens' messages by topic and department (received, answered in
time, answered late, still open past the deadline, transferred), answer routes, and the WeChat
statistics. Every table is ``Table`` so text, JSON, HTML and CSV show the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from review.answer_routes import ROUTE_LABELS
from review.checks.labels import check_label
from review.timefmt import SHANGHAI
from review.working_hours import percentile, working_hours_between

NO_TOPIC = "未分类"
NO_DEPARTMENT = "未分派"


@dataclass(frozen=True)
class PostRow:
    account: str  # the account's name as staff know it
    platform: str  # wechat | weibo
    kind: str
    published_at: datetime


@dataclass(frozen=True)
class GateRow:
    """One gate run that blocked, with the checks that blocked it."""

    at: datetime
    blocked: tuple[str, ...]


@dataclass(frozen=True)
class ReviewRow:
    """One revision's review on one account: submitted, and approved by its last stage."""

    account: str
    submitted_at: datetime
    approved_at: datetime


@dataclass(frozen=True)
class MessageRow:
    received_at: datetime
    topic: str | None
    department: str | None
    deadline_at: datetime | None
    answered_at: datetime | None
    answered: bool
    route: str | None
    transferred: bool
    #: closed without an answer (spam, a duplicate): neither in time nor late
    dismissed: bool = False


@dataclass(frozen=True)
class ArticleRow:
    account: str
    title: str
    reads: int
    shares: int


@dataclass(frozen=True)
class FollowerRow:
    account: str
    day: date
    new: int
    lost: int
    total: int


@dataclass
class Inputs:
    year: int
    posts: list[PostRow] = field(default_factory=list)
    gates: list[GateRow] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)
    messages: list[MessageRow] = field(default_factory=list)
    articles: list[ArticleRow] = field(default_factory=list)
    followers: list[FollowerRow] = field(default_factory=list)
    #: the moment "past the deadline" is judged at (the year's end, or now during the year)
    as_of: datetime | None = None
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Table:
    """One table of the report: ``key`` names its CSV file and JSON entry."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "headers": list(self.headers),
            "rows": [list(r) for r in self.rows],
        }


@dataclass(frozen=True)
class Weekly:
    """A series per week of the year (week 1 starts on the Monday on or before 1 January)."""

    weeks: tuple[date, ...]  # each week's Monday
    #: None: nothing to measure that week (no answer: no answer time, not zero)
    series: dict[str, tuple[float | None, ...]]


@dataclass
class AnnualReport:
    year: int
    tables: list[Table]
    posts_weekly: Weekly
    messages_weekly: Weekly
    answer_hours_weekly: Weekly
    blocks_by_reason: dict[str, int]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "tables": {t.key: t.to_json() for t in self.tables},
            "charts": {
                "weeks": [w.isoformat() for w in self.posts_weekly.weeks],
                "posts_per_week": {k: list(v) for k, v in self.posts_weekly.series.items()},
                "messages_per_week": {k: list(v) for k, v in self.messages_weekly.series.items()},
                "answer_hours_per_week": {
                    k: list(v) for k, v in self.answer_hours_weekly.series.items()
                },
                "blocks_by_reason": self.blocks_by_reason,
            },
        }


def first_monday(year: int) -> date:
    jan1 = date(year, 1, 1)
    return jan1 - timedelta(days=jan1.weekday())


def week_starts(year: int) -> tuple[date, ...]:
    start, last = first_monday(year), date(year, 12, 31)
    return tuple(start + timedelta(weeks=i) for i in range((last - start).days // 7 + 1))


def week_index(year: int, at: datetime) -> int:
    return (at.astimezone(SHANGHAI).date() - first_monday(year)).days // 7


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def post_table(posts: Sequence[PostRow]) -> Table:
    counts = Counter((p.account, p.kind) for p in posts)
    kinds = sorted({k for _, k in counts})
    accounts = sorted({a for a, _ in counts})
    rows = [
        (a, *(counts[(a, k)] for k in kinds), sum(counts[(a, k)] for k in kinds)) for a in accounts
    ]
    total = ("合计", *(sum(counts[(a, k)] for a in accounts) for k in kinds), len(posts))
    return Table("posts", "发布量（按账号、类型）", ("账号", *kinds, "合计"), (*rows, total))


def block_counts(gates: Iterable[GateRow]) -> dict[str, int]:
    """Check (in Chinese) → how many gate runs it blocked, most first."""
    counts = Counter(check_label(name) for g in gates for name in set(g.blocked))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def review_table(inputs: Inputs) -> Table:
    by_account: dict[str, list[float]] = defaultdict(list)
    for r in inputs.reviews:
        hours = working_hours_between(
            r.submitted_at, r.approved_at, inputs.extra_holidays, inputs.extra_workdays
        )
        by_account[r.account].append(hours)
    every = [h for hs in by_account.values() for h in hs]
    rows = [
        (a, len(hs), _round(percentile(hs, 50)), _round(percentile(hs, 90)))
        for a, hs in sorted(by_account.items())
    ]
    rows.append(("合计", len(every), _round(percentile(every, 50)), _round(percentile(every, 90))))
    headers = ("账号", "审核篇数", "用时中位数（工作小时）", "用时90分位（工作小时）")
    return Table("review_time", "审核用时（工作时间）", headers, tuple(rows))


def message_outcome(m: MessageRow, as_of: datetime) -> str:
    """in_time | late | overdue (open past its deadline) | open | dismissed | closed (办结
    with no answer recorded: neither in time nor late — the report must not call it 按时答复)."""
    if m.answered:
        if m.answered_at is None:
            return "closed"
        if m.deadline_at is None or m.answered_at <= m.deadline_at:
            return "in_time"
        return "late"
    if m.dismissed:
        return "dismissed"
    if m.deadline_at is not None and m.deadline_at < as_of:
        return "overdue"
    return "open"


MESSAGE_HEADERS = ("收到", "按时答复", "逾期答复", "逾期未答", "转办")


def _message_rows(
    groups: dict[str, list[MessageRow]], as_of: datetime
) -> tuple[tuple[Any, ...], ...]:
    rows = []
    # the unnamed group (未分类 / 未分派) last
    for name, ms in sorted(
        groups.items(), key=lambda kv: (kv[0] in (NO_TOPIC, NO_DEPARTMENT), kv[0])
    ):
        outcomes = Counter(message_outcome(m, as_of) for m in ms)
        transferred = sum(m.transferred for m in ms)
        rows.append(
            (name, len(ms), outcomes["in_time"], outcomes["late"], outcomes["overdue"], transferred)
        )
    every = [m for ms in groups.values() for m in ms]
    outcomes = Counter(message_outcome(m, as_of) for m in every)
    total = ("合计", len(every), outcomes["in_time"], outcomes["late"], outcomes["overdue"],
             sum(m.transferred for m in every))  # fmt: skip
    return (*rows, total)


def message_tables(inputs: Inputs, as_of: datetime) -> list[Table]:
    by_topic: dict[str, list[MessageRow]] = defaultdict(list)
    by_dept: dict[str, list[MessageRow]] = defaultdict(list)
    for m in inputs.messages:
        by_topic[m.topic or NO_TOPIC].append(m)
        by_dept[m.department or NO_DEPARTMENT].append(m)
    routes = Counter(m.route for m in inputs.messages if m.answered and m.route)
    route_rows = tuple(
        (ROUTE_LABELS.get(r, r), n)
        for r, n in sorted(routes.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return [
        Table("messages_by_topic", "群众留言（按事项）", ("事项", *MESSAGE_HEADERS),
              _message_rows(by_topic, as_of)),
        Table("messages_by_department", "群众留言（按处室）", ("处室", *MESSAGE_HEADERS),
              _message_rows(by_dept, as_of)),
        Table("answer_routes", "答复方式", ("答复方式", "条数"), route_rows),
    ]  # fmt: skip


def wechat_tables(inputs: Inputs) -> list[Table]:
    articles = sorted(inputs.articles, key=lambda a: (-a.reads, a.account, a.title))
    article_rows = tuple((a.account, a.title, a.reads, a.shares) for a in articles)
    total = (
        "合计",
        f"{len(articles)} 篇",
        sum(a.reads for a in articles),
        sum(a.shares for a in articles),
    )
    by_account: dict[str, list[FollowerRow]] = defaultdict(list)
    for f in inputs.followers:
        by_account[f.account].append(f)
    follower_rows = []
    for account, days in sorted(by_account.items()):
        days.sort(key=lambda f: f.day)
        follower_rows.append((
            account, sum(f.new for f in days), sum(f.lost for f in days), days[-1].total,
            days[-1].day.isoformat(),
        ))  # fmt: skip
    return [
        Table("wechat_articles", "微信文章阅读与分享", ("账号", "标题", "阅读次数", "分享次数"),
              (*article_rows, total) if articles else ()),
        Table("wechat_followers", "微信关注人数",
              ("账号", "新增关注", "取消关注", "年末关注总数", "截至"), tuple(follower_rows)),
    ]  # fmt: skip


def _weekly_posts(inputs: Inputs, weeks: tuple[date, ...]) -> Weekly:
    series: dict[str, list[float]] = {}
    for p in inputs.posts:
        i = week_index(inputs.year, p.published_at)
        if 0 <= i < len(weeks):
            series.setdefault(p.account, [0.0] * len(weeks))[i] += 1
    return Weekly(weeks, {k: tuple(v) for k, v in sorted(series.items())})


def _weekly_messages(inputs: Inputs, weeks: tuple[date, ...]) -> tuple[Weekly, Weekly]:
    received = [0.0] * len(weeks)
    hours: list[list[float]] = [[] for _ in weeks]
    for m in inputs.messages:
        i = week_index(inputs.year, m.received_at)
        if not 0 <= i < len(weeks):
            continue
        received[i] += 1
        if m.answered and m.answered_at is not None:
            hours[i].append(
                working_hours_between(
                    m.received_at, m.answered_at, inputs.extra_holidays, inputs.extra_workdays
                )
            )
    median = tuple(_round(percentile(h, 50)) for h in hours)
    return (
        Weekly(weeks, {"收到留言": tuple(received)}),
        Weekly(weeks, {"答复用时中位数（工作小时）": median}),
    )


def build(inputs: Inputs) -> AnnualReport:
    as_of = inputs.as_of or datetime(inputs.year + 1, 1, 1, tzinfo=SHANGHAI)
    weeks = week_starts(inputs.year)
    blocks = block_counts(inputs.gates)
    gate_table = Table(
        "gate_blocks", "发布前检查拦截（按检查项）", ("检查项", "拦截次数"),
        (*blocks.items(), ("合计（被拦截的提交）", len(inputs.gates))),
    )  # fmt: skip
    messages_weekly, hours_weekly = _weekly_messages(inputs, weeks)
    return AnnualReport(
        year=inputs.year,
        tables=[
            post_table(inputs.posts),
            gate_table,
            review_table(inputs),
            *message_tables(inputs, as_of),
            *wechat_tables(inputs),
        ],
        posts_weekly=_weekly_posts(inputs, weeks),
        messages_weekly=messages_weekly,
        answer_hours_weekly=hours_weekly,
        blocks_by_reason=blocks,
    )
