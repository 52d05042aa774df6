"""/console/reports: the annual report (issue 17) in the console — its charts and tables for a
year, and each table as CSV. The figures are ``review.reports`` (the same as ``newmedia report
annual``); this page only picks the year and frames them.

Aggregates only: counts, times and the public titles of WeChat articles, no citizen's message
or personal data, so every member of staff may read it; an outside operator (who only works on
drafts) may not — the page answers 404 for them, as for a missing page.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.api_common import services
from bot.web.auth import console_page, csrf_token, flash
from review.models import Person
from review.reports import formats
from review.reports import service as reports
from review.reports.annual import AnnualReport
from review.timefmt import local_date
from review.workdays import parse_dates

FIRST_YEAR = 2020


def _may_read(person: Person) -> bool:
    return set(person.roles.split()) - {"operator"} != set()


async def _report(request: web.Request, session: AsyncSession, year: int) -> AnnualReport:
    svc = services(request)
    cal = svc.settings.file.calendar
    return await reports.annual(
        session, year, now=svc.clock(),
        extra_holidays=parse_dates(cal.extra_holidays),
        extra_workdays=parse_dates(cal.extra_workdays),
    )  # fmt: skip


def _year(request: web.Request, default: int) -> int:
    raw = request.match_info.get("year") or request.query.get("year") or str(default)
    if not raw.isdecimal() or not FIRST_YEAR <= int(raw) <= default:
        raise web.HTTPNotFound(text="没有该年度的报告", content_type="text/plain")
    return int(raw)


@console_page
async def reports_page(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    if not _may_read(person):
        raise web.HTTPNotFound()
    now = services(request).clock()
    this_year = local_date(now).year
    year = _year(request, this_year)
    report = await _report(request, session, year)
    # matplotlib (imported here: the service starts without it) draws for a few hundred
    # milliseconds: off the event loop
    from review.reports import charts

    drawn = await asyncio.get_running_loop().run_in_executor(None, charts.annual_charts, report)
    ctx: dict[str, Any] = {
        "me": person, "csrf": await csrf_token(request), "flash": flash(request),
        "year": year, "years": list(range(this_year, FIRST_YEAR - 1, -1)),
        "tables": report.tables,
        "body": formats.body_html(report, drawn, reports.as_of(year, now)),
    }  # fmt: skip
    return aiohttp_jinja2.render_template("console_reports.html", request, ctx)


@console_page
async def report_csv(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    if not _may_read(person):
        raise web.HTTPNotFound()
    year = _year(request, local_date(services(request).clock()).year)
    report = await _report(request, session, year)
    key = request.match_info["key"]
    table = next((t for t in report.tables if t.key == key), None)
    if table is None:
        raise web.HTTPNotFound(text="没有该报表", content_type="text/plain")
    return web.Response(
        body=formats.csv_text(table).encode("utf-8-sig"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="annual-{year}-{key}.csv"'},
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/console/reports", reports_page)
    app.router.add_get("/console/reports/annual-{year:\\d{4}}-{key:[a-z_]+}.csv", report_csv)
