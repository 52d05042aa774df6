"""The annual report as text, CSV (one file per table) and HTML (a Jinja page in
``templates/reports/`` with the charts inline): the same ``Table`` rows in every format."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup

import templates
from review.reports.annual import AnnualReport, Table
from review.timefmt import SHANGHAI
from review.working_hours import PERIODS

_ENV = templates.environment("reports", autoescape=True)


def _cell(value: Any) -> str:
    return "—" if value is None else str(value)


def table_text(table: Table) -> list[str]:
    lines = [f"【{table.title}】"]
    if not table.rows:
        return [*lines, "  本年度无数据"]
    lines.append("  " + " | ".join(table.headers))
    lines += ["  " + " | ".join(_cell(c) for c in row) for row in table.rows]
    return lines


def text(report: AnnualReport) -> str:
    lines = [f"{report.year} 年度政务新媒体工作报告（北京时间 1月1日—12月31日）", ""]
    for table in report.tables:
        lines += [*table_text(table), ""]
    return "\n".join(lines).rstrip() + "\n"


def csv_text(table: Table) -> str:
    """One table as CSV (UTF-8 with BOM when written, so Excel opens the Chinese right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.headers)
    writer.writerows([_csv_cell(c) for c in row] for row in table.rows)
    return out.getvalue()


def _csv_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula (a title synced from a platform may
    start with ``=``) is written with a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def office_hours() -> str:
    return "、".join(f"{a:%H:%M}—{b:%H:%M}" for a, b in PERIODS)


def as_of_text(report: AnnualReport, as_of: datetime | None) -> str:
    year_end = datetime(report.year + 1, 1, 1, tzinfo=SHANGHAI) - timedelta(seconds=1)
    at = min(as_of, year_end) if as_of is not None else year_end
    local = at.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日"


def body_html(
    report: AnnualReport, charts: dict[str, str], as_of: datetime | None = None
) -> Markup:
    """Charts and tables, for a page that has its own frame (the console)."""
    page = _ENV.get_template("_annual_body.html").render(
        report=report, charts=charts, office_hours=office_hours(), as_of=as_of_text(report, as_of)
    )
    return Markup(page)  # noqa: S704 — rendered by an autoescaping environment


def html(
    report: AnnualReport, charts: dict[str, str], as_of: datetime | None = None, *,
    generated_by: str = "",
) -> str:  # fmt: skip
    """The standalone page (``--format html``, ``docs/example-annual-report.html``)."""
    return _ENV.get_template("annual.html").render(
        report=report, charts=charts, office_hours=office_hours(),
        as_of=as_of_text(report, as_of), generated_by=generated_by,
    )  # fmt: skip
