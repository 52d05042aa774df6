"""The weekly digest a department head reads on a phone: what waits for review, what is late
(overdue messages, posts that failed or went out late), which account nears the 14-day rule,
which reply windows are closing.

``compose`` (pure) words it and keeps it under WeCom's 2048-byte text limit — the counts always
stay, the lists shrink. ``collect`` reads one department's facts; the weekly tick
(``bot/clocks/ticks.py``) and ``newmedia report digest`` both call ``for_department``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from review.account_health import quiet
from review.inspection import VETO_QUIET_DAYS
from review.models import Account, Department
from review.notify import notify
from review.states import PUBLICATION_LABELS, PublicationStatus
from review.store import digest as store
from review.store import directory
from review.store import publications as pstore
from review.timefmt import local_date, short_time, to_local

#: WeCom cuts a text message at 2048 bytes; the chat template adds 【每周摘要】 in front and
#: the command line after it (templates/chat/weekly_digest.txt.j2)
MAX_BYTES = 1850
#: items listed per section before 「等 N 项」 when everything fits
MAX_ITEMS = 5
TITLE_CAP = 18
#: an account is listed once this many days have passed without a post (the deduction line)
NEAR_QUIET_DAYS = 7
PLATFORM_LABELS = {"wechat": "微信", "weibo": "微博"}


@dataclass(frozen=True)
class Section:
    heading: str
    count: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Digest:
    department_key: str
    department: str
    iso_year: int
    iso_week: int
    period: str  # 「11月30日—12月6日」
    sections: tuple[Section, ...]

    @property
    def week_key(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"

    @property
    def dedup_key(self) -> str:
        return dedup_key(self.department_key, self.iso_year, self.iso_week)

    @property
    def total(self) -> int:
        return sum(s.count for s in self.sections)


def dedup_key(department_key: str, iso_year: int, iso_week: int) -> str:
    """Once per department per ISO week, whichever replica or restart gets there first."""
    return f"digest:{department_key}:{iso_year}-W{iso_week:02d}"


def _cut(text: str, limit: int = TITLE_CAP) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section_text(section: Section, cap: int) -> list[str]:
    out = [
        f"■ {section.heading}（{section.count}）" if section.count else f"■ {section.heading}：无"
    ]
    shown = section.lines[:cap]
    out.extend(f"· {line}" for line in shown)
    if section.count > len(shown):
        out.append(f"· 等 {section.count} 项" if shown else "· 详见控制台")
    return out


def compose(digest: Digest, max_bytes: int = MAX_BYTES) -> str:
    """The digest's text: every section's count, as many items as fit in ``max_bytes``."""
    head = [
        f"{digest.department} 每周摘要（{digest.iso_year}年第{digest.iso_week}周，{digest.period}）"
    ]
    if not digest.total:
        head.append("本周没有待办、超期或临近时限的事项。")
    for cap in range(MAX_ITEMS, -1, -1):
        body = [line for s in digest.sections for line in _section_text(s, cap)]
        text = "\n".join(head + body)
        if len(text.encode()) <= max_bytes:
            return text
    raw = text.encode()[: max_bytes - 3]  # cannot happen with sane headings; never over the limit
    return raw.decode(errors="ignore") + "…"


def _days(delta: timedelta) -> str:
    days = int(delta.total_seconds() // 86400)
    return f"{days} 天" if days >= 1 else f"{max(1, int(delta.total_seconds() // 3600))} 小时"


def week_of(now: datetime) -> tuple[int, int, str]:
    """(ISO year, ISO week, 「11月30日—12月6日」) of ``now``'s Beijing date."""
    day = local_date(now)
    year, week, weekday = day.isocalendar()
    start = datetime.combine(day - timedelta(days=weekday - 1), datetime.min.time())
    end = start + timedelta(days=6)
    return year, week, f"{start.month}月{start.day}日—{end.month}月{end.day}日"


async def collect(
    session: AsyncSession, department: Department, now: datetime, window_hours: float
) -> Digest:
    """One department's facts as of ``now``: late things of the past seven days."""
    since = now - timedelta(days=7)
    waiting = [
        f"稿件 #{r.draft_id}「{_cut(r.title)}」{t.stage_name}，已等 {_days(now - t.created_at)}"
        for t, r in await store.waiting_tasks(session, department.id)
    ]
    late = [
        f"留言 #{m.id}（{m.topic or '未分类'}）答复期限 {short_time(m.deadline_at)} 已过"
        for m in await store.overdue_messages(session, department.id, now)
        if m.deadline_at is not None
    ]
    for pub, account, rev in await store.troubled_publications(session, department.id, since):
        status = PublicationStatus(pub.status)
        what = (
            f"晚了 {round((pub.late_seconds or 0) / 60)} 分钟发布"
            if status == PublicationStatus.PUBLISHED
            else PUBLICATION_LABELS[status]
        )
        late.append(f"「{_cut(rev.title)}」（{_account(account)}）{what}")
    # a post made in the platform's back office keeps the clock too (the daily sync)
    last = await pstore.last_published(session, until=now)
    accounts: list[tuple[int, str]] = []
    for account in await store.owned_accounts(session, department.id):
        q = quiet(last.get(account.id), account.created_at, now)
        if q.days < NEAR_QUIET_DAYS:
            continue
        line = (
            f"「{_account(account)}」已 {q.days} 天未更新，已达 {VETO_QUIET_DAYS} 天单项否决"
            if q.left == 0
            else f"「{_account(account)}」已 {q.days} 天未更新，{q.left} 天后触及 {VETO_QUIET_DAYS} 天规则"
        )
        accounts.append((-q.days, line))
    windows = [
        f"留言 #{m.id}（{m.topic or '未分类'}）窗口 {short_time(m.reply_window_closes_at)} 关闭"
        for m in await store.closing_windows(
            session, department.id, now, now + timedelta(hours=window_hours)
        )
        if m.reply_window_closes_at is not None
    ]
    year, week, period = week_of(now)
    return Digest(
        department.key,
        department.name,
        year,
        week,
        period,
        (
            _section("待审核", waiting),
            _section("已超期", late),
            _section(f"临近{VETO_QUIET_DAYS}天未更新", [line for _, line in sorted(accounts)]),
            _section(f"{_hours(window_hours)}内关闭的回复窗口", windows),
        ),
    )


def _account(account: Account) -> str:
    """「长春民政·微博」: a WeChat and a Weibo account often share one name."""
    return f"{account.name}·{PLATFORM_LABELS.get(account.platform, account.platform)}"


def _section(heading: str, lines: Sequence[str]) -> Section:
    return Section(heading, len(lines), tuple(lines))


def _hours(hours: float) -> str:
    return f"{hours:g} 小时"


def due(now: datetime, weekday: int, at: str) -> bool:
    """Whether this ISO week's digest is due: its weekday and time (Beijing) have come. Later in
    the same week it is still due — a service down on Monday morning sends it when back."""
    local = to_local(now)
    hour, minute = (int(x) for x in at.split(":"))
    if local.isoweekday() != weekday:
        return local.isoweekday() > weekday
    return (local.hour, local.minute) >= (hour, minute)


async def send(session: AsyncSession, department: Department, digest: Digest) -> str:
    """Store the digest for the department's head (the chat tick delivers it): "sent", or
    "already" (this week's went out before: another replica, a restart, a second --send), or
    "no_head" (the department names no active head)."""
    head = await directory.person_by_key(session, department.head_key or "")
    if head is None or not head.active:
        return "no_head"
    try:
        async with session.begin_nested():  # a replica storing the same key: no-op, not a failure
            stored = await notify(
                session,
                kind="weekly_digest",
                subject=f"department:{department.key}",
                text=compose(digest),
                person_id=head.id,
                department_id=department.id,
                payload={"department": department.key, "week": digest.week_key},
                dedup_key=digest.dedup_key,
            )
    except IntegrityError:
        stored = None
    return "sent" if stored is not None else "already"
