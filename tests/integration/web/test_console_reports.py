"""/console/reports: the annual report's charts and tables for a year, each table as CSV; the
figures are the CLI's (bot/sandbox/annual_history.py, worked out by hand in
tests/integration/cli/test_cli_report_annual.py); an outside operator gets a 404."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from console_support import sign_in

from bot.sandbox.annual_history import seed
from review.db import SessionFactory

#: on SQLite and PostgreSQL (upserts and the report's queries differ by dialect)
pytestmark = pytest.mark.pg


@pytest.fixture
async def client(app_client: TestClient, sf: SessionFactory) -> TestClient:
    async with sf.begin() as session:
        await seed(session)
    return app_client


async def test_the_page_shows_charts_and_tables(client: TestClient, sf: SessionFactory) -> None:
    await sign_in(client, sf, "li_na")
    r = await client.get("/console/reports?year=2025")
    assert r.status == 200
    page = await r.text()
    assert page.count("<svg") == 3
    assert "长春民政（微信）</text>" in page and "错敏词</text>" in page
    assert "<td>长春民政（微信）</td><td>3</td><td>1.5</td><td>1.9</td>" in page
    assert 'href="/console/reports" aria-current="page"' in page
    assert 'href="/console/reports/annual-2025-posts.csv"' in page


async def test_a_table_as_csv(client: TestClient, sf: SessionFactory) -> None:
    await sign_in(client, sf, "li_na")
    r = await client.get("/console/reports/annual-2025-gate_blocks.csv")
    assert r.status == 200 and r.content_type == "text/csv"
    body = (await r.read()).decode("utf-8-sig")
    assert body == "检查项,拦截次数\n错敏词,2\n个人信息,1\n合计（被拦截的提交）,2\n"
    missing = await client.get("/console/reports/annual-2025-nothing.csv")
    assert missing.status == 404


async def test_an_outside_operator_and_odd_years_get_404(
    client: TestClient, sf: SessionFactory
) -> None:
    await sign_in(client, sf, "li_na")
    assert (await client.get("/console/reports?year=1990")).status == 404
    assert (await client.get("/console/reports?year=abc")).status == 404
    await sign_in(client, sf, "xu_ke")
    assert (await client.get("/console/reports?year=2025")).status == 404
