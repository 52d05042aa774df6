"""The rows behind the annual report (read-only): one query per table, a Beijing year."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import (
    Account,
    AuditEvent,
    CitizenMessage,
    Department,
    GateRun,
    Publication,
    ReviewTask,
    Revision,
)
from review.reports.annual import (
    ArticleRow,
    FollowerRow,
    GateRow,
    Inputs,
    MessageRow,
    PostRow,
    ReviewRow,
)
from review.states import MessageStatus as M
from review.states import PublicationStatus as P
from review.store import platform_stats
from review.timefmt import SHANGHAI

ANSWERED = (M.ANSWERED, M.CLOSED)
TRANSFERRED = "message.transferred"


PLATFORM_NAMES = {"wechat": "微信", "weibo": "微博"}


def account_label(name: str, platform: str) -> str:
    """``长春民政（微信）``: the WeChat and Weibo accounts often share a name."""
    return f"{name}（{PLATFORM_NAMES.get(platform, platform)}）"


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 January 00:00, next 1 January 00:00) Beijing, in UTC."""
    start = datetime(year, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
    return start, datetime(year + 1, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)


async def posts(session: AsyncSession, year: int) -> list[PostRow]:
    """Every post that went out in the year (retracted ones too: they were public)."""
    lo, hi = year_bounds(year)
    rows = await session.execute(
        select(Account.name, Account.platform, Revision.kind, Publication.published_at)
        .join(Account, Account.id == Publication.account_id)
        .join(Revision, Revision.id == Publication.revision_id)
        .where(
            Publication.status.in_((P.PUBLISHED, P.RETRACTED)),
            Publication.published_at >= lo,
            Publication.published_at < hi,
        )
    )
    return [PostRow(account_label(a, p), p, k, at) for a, p, k, at in rows if at is not None]


async def gate_blocks(session: AsyncSession, year: int) -> list[GateRow]:
    """Each submission the gate blocked, with its blocking checks (from the stored report)."""
    lo, hi = year_bounds(year)
    rows = await session.execute(
        select(GateRun.created_at, GateRun.report).where(
            GateRun.verdict == "block", GateRun.created_at >= lo, GateRun.created_at < hi
        )
    )
    out = []
    for at, report in rows:
        checks = (report or {}).get("checks") or ()
        blocked = tuple(str(c.get("name")) for c in checks if c.get("verdict") == "block")
        out.append(GateRow(at, blocked))
    return out


async def reviews(session: AsyncSession, year: int) -> list[ReviewRow]:
    """Per published revision and account: first stage opened (the submission) → last stage
    approved; counted in the year its approval fell."""
    lo, hi = year_bounds(year)
    t = ReviewTask
    spans = (
        select(
            t.revision_id,
            t.account_id,
            func.min(t.created_at).label("submitted"),
            func.max(t.decided_at).label("approved"),
        )
        .where(t.status == "approved")
        .group_by(t.revision_id, t.account_id)
        .subquery()
    )
    rows = await session.execute(
        select(Account.name, Account.platform, spans.c.submitted, spans.c.approved)
        .join(
            Publication,
            (Publication.revision_id == spans.c.revision_id)
            & (Publication.account_id == spans.c.account_id),
        )
        .join(Account, Account.id == spans.c.account_id)
        .where(spans.c.approved >= lo, spans.c.approved < hi)
    )
    return [
        ReviewRow(account_label(a, p), s, d)
        for a, p, s, d in rows
        if s is not None and d is not None
    ]


async def messages(session: AsyncSession, year: int) -> list[MessageRow]:
    """Citizens' messages (events excluded) received in the year."""
    lo, hi = year_bounds(year)
    m = CitizenMessage
    moved = select(AuditEvent.subject_id).where(
        AuditEvent.action == TRANSFERRED, AuditEvent.subject_type == "message"
    )
    transferred = {str(x) for x in await session.scalars(moved)}
    rows = await session.execute(
        select(m.id, m.received_at, m.topic, Department.name, m.deadline_at, m.answered_at,
               m.status, m.answer_route)
        .outerjoin(Department, Department.id == m.department_id)
        .where(m.event.is_(None), m.received_at >= lo, m.received_at < hi)
    )  # fmt: skip
    return [
        MessageRow(
            received_at=received,
            topic=topic,
            department=dept,
            deadline_at=deadline,
            answered_at=answered_at,
            answered=status in ANSWERED,
            route=route,
            transferred=str(mid) in transferred,
            dismissed=status == M.DISMISSED,
        )
        for mid, received, topic, dept, deadline, answered_at, status, route in rows
    ]


async def wechat_figures(
    session: AsyncSession, year: int
) -> tuple[list[ArticleRow], list[FollowerRow]]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    articles = [
        ArticleRow(account_label(a.account_name, "wechat"), a.title or a.msgid, a.reads, a.shares)
        for a in await platform_stats.article_totals(session, first, last)
    ]
    followers = [
        FollowerRow(account_label(f.account_name, "wechat"), f.day, f.new, f.lost, f.total)
        for f in await platform_stats.follower_days(session, first, last)
    ]
    return articles, followers


async def inputs(
    session: AsyncSession,
    year: int,
    *,
    as_of: datetime | None = None,
    extra_holidays: frozenset[date] = frozenset(),
    extra_workdays: frozenset[date] = frozenset(),
) -> Inputs:
    """Everything the annual report counts, for one Beijing year."""
    articles, followers = await wechat_figures(session, year)
    return Inputs(
        year=year,
        posts=await posts(session, year),
        gates=await gate_blocks(session, year),
        reviews=await reviews(session, year),
        messages=await messages(session, year),
        articles=articles,
        followers=followers,
        as_of=as_of,
        extra_holidays=extra_holidays,
        extra_workdays=extra_workdays,
    )
