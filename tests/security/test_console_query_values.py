"""Odd values typed into the console's filters and links get a page, never a server error:
digits ``int`` cannot read (``²`` passes ``isdigit``), page numbers past the database's OFFSET,
dates past what ``date`` arithmetic holds. Also: a settle link must be a web address, and a CSV
cell a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from console_support import sign_in

from review.db import SessionFactory
from review.reports.annual import Table
from review.reports.formats import csv_text

ODD = [
    "/console/inbox?page=²",
    "/console/inbox?window=²",
    "/console/drafts?page=999999999999999999999",
    "/console/publications?page=999999999999999999999",
    "/console/publications?until=9999-12-31",
    "/console/publications?since=0001-01-01",
    "/console/audit?until=9999-12-31&page=99999999999999999999",
    "/console/calendar?day=9999-12-31",
    "/console/calendar?day=0001-01-01&view=month",
    "/console/inbox/1?use=²",
]


@pytest.mark.parametrize("path", ODD)
async def test_an_odd_value_in_a_link_gets_a_page(
    app_client: TestClient, sf: SessionFactory, path: str
) -> None:
    await sign_in(app_client, sf, "li_na")
    answer = await app_client.get(path)
    assert answer.status in (200, 404), (path, answer.status)


async def test_an_odd_report_year_is_not_found(app_client: TestClient, sf: SessionFactory) -> None:
    await sign_in(app_client, sf, "li_na")
    for year in ("²", "1800", "99999999999999999999"):
        answer = await app_client.get(f"/console/reports?year={year}")
        assert answer.status == 404, (year, answer.status)


def test_a_csv_cell_that_looks_like_a_formula_is_text() -> None:
    rows = (('=HYPERLINK("http://x")', 12), ("-1+2", -3))
    table = Table("articles", "文章", ("标题", "阅读"), rows)
    lines = csv_text(table).splitlines()
    assert lines[1].startswith("\"'=HYPERLINK(") and lines[1].endswith(",12")
    assert lines[2] == "'-1+2,-3"  # a negative number stays a number
