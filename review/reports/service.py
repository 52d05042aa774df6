"""The annual report from the database: what the CLI and the console's reports page call."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review.reports.annual import AnnualReport, build
from review.store import annual_report as store
from review.store.annual_report import year_bounds


def as_of(year: int, now: datetime) -> datetime:
    """Deadlines are judged at the year's end, or now while the year runs."""
    return min(now, year_bounds(year)[1])


async def annual(
    session: AsyncSession,
    year: int,
    *,
    now: datetime,
    extra_holidays: frozenset[date] = frozenset(),
    extra_workdays: frozenset[date] = frozenset(),
) -> AnnualReport:
    inputs = await store.inputs(
        session, year, as_of=as_of(year, now),
        extra_holidays=extra_holidays, extra_workdays=extra_workdays,
    )  # fmt: skip
    return build(inputs)
