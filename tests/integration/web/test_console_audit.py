"""The console's audit page: Chinese labels and readable details, search by person, action,
object and date, paging, and every break of the chain; console errors inside the layout."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient
from app_support import bearer
from console_support import sign_in
from sqlalchemy import delete, update

from bot.config.load import Settings
from review.db import SessionFactory
from review.models import AuditEvent, utcnow
from review.store import audit
from review.timefmt import local_date


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    return app_client


def seqs(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td class="num" data-label="序号">(\d+)</td>', page)]


async def page_of(client: TestClient, query: str = "") -> str:
    r = await client.get("/console/audit" + query)
    assert r.status == 200, await r.text()
    return html.unescape(await r.text())


@pytest.mark.pg  # the date bounds against timestamptz, the distinct lists
async def test_labels_details_and_search(client: TestClient, sf: SessionFactory) -> None:
    csrf = await sign_in(client, sf, "zhao_min")
    form = {"csrf": csrf, "title": "冬季救助", "kind": "工作动态", "accounts": "ccmz_wechat",
            "body": "市民政局开展冬季救助。"}  # fmt: skip
    r = await client.post("/console/drafts", data=form, allow_redirects=False)
    draft_id = r.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    async with sf.begin() as s:
        await audit.append(s, actor="system", action="publication.failed",
                           subject_type="publication", subject_id=7,
                           detail={"accounts": ["ccmz_wechat", "ccmz_weibo"], "had_token": True})  # fmt: skip

    page = await page_of(client)
    assert "审计日志完整" in page and "哈希链无断裂" in page
    assert "控制台登录" in page and "新建稿件" in page and "发布结果：发布失败" in page
    assert "赵敏" in page and "系统" in page
    assert "ccmz_wechat、ccmz_weibo" in page and "<dt>原有令牌</dt><dd>是</dd>" in page
    assert "{'" not in page and "': " not in page  # no Python dicts
    assert f'href="/console/drafts/{draft_id}"' in page

    everything = seqs(page)
    only = await page_of(client, "?action=draft.create")
    assert len(seqs(only)) == 1 and "控制台登录" not in only.split("<tbody>")[1]
    by_person = await page_of(client, "?actor=zhao_min")
    assert len(seqs(by_person)) == 2 and "系统" not in by_person.split("<tbody>")[1]
    by_object = await page_of(client, f"?type=draft&id=%23{draft_id}")  # "#12" as in chat
    assert len(seqs(by_object)) == 1
    assert len(seqs(await page_of(client, "?type=draft&id=999"))) == 0

    today = local_date(utcnow())
    tomorrow = today + timedelta(days=1)
    assert seqs(await page_of(client, f"?since={today}&until={today}")) == everything
    none = await page_of(client, f"?since={tomorrow}")
    assert seqs(none) == [] and "没有符合条件的事件" in none
    bad = await page_of(client, "?since=12/03/2026")
    assert "起始日期「12/03/2026」不是日期" in bad and seqs(bad) == everything


async def test_paging(client: TestClient, sf: SessionFactory) -> None:
    async with sf.begin() as s:
        await audit.append_many(
            s, [audit.NewEvent("system", "message.overdue", "message", n) for n in range(1, 121)]
        )
    await sign_in(client, sf, "li_na")
    async with sf() as s:
        total = await audit.count(s)  # the 120, the sign-in, and what the service wrote at start
    assert 121 < total <= 150, total  # three pages of 50
    first = await page_of(client)
    assert seqs(first) == list(range(total, total - 50, -1)) and f"共 {total} 条" in first
    assert 'href="/console/audit?page=2"' in first and "第 1/3 页" in first
    last = await page_of(client, "?page=3")
    assert seqs(last) == list(range(total - 100, 0, -1)) and 'href="/console/audit?page=2"' in last
    filtered = await page_of(client, "?action=message.overdue&page=2")
    started = total - 121  # the overdue events are started+1 … started+120
    assert seqs(filtered) == list(range(started + 70, started + 20, -1))
    assert (
        "action=message.overdue&amp;page=3"
        in await (await client.get("/console/audit?action=message.overdue&page=2")).text()
    )
    assert seqs(await page_of(client, "?page=99")) == seqs(last)  # past the end: the last


async def test_every_break_of_the_chain_is_shown(client: TestClient, sf: SessionFactory) -> None:
    async with sf.begin() as s:
        await audit.append_many(
            s, [audit.NewEvent("system", "message.overdue", "message", n) for n in range(1, 7)]
        )
    async with sf.begin() as s:
        await s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="mallory"))
        await s.execute(delete(AuditEvent).where(AuditEvent.seq.in_([4, 5])))
    await sign_in(client, sf, "li_na")
    page = await page_of(client)
    assert "审计日志有 2 处断裂" in page
    assert "#2 内容被改动" in page and "#4–#5 缺失" in page


async def test_console_errors_are_pages_of_the_console(
    client: TestClient, sf: SessionFactory
) -> None:
    r = await client.get("/console/no-such-page")  # signed out: still the layout, and sign-in
    text = await r.text()
    assert r.status == 404 and "页面不存在" in text and 'href="/console/login"' in text
    assert r.headers["Content-Type"].startswith("text/html")

    csrf = await sign_in(client, sf, "zhao_min")
    r = await client.get("/console/drafts/99999", headers={"Referer": "http://x.example/evil"})
    text = await r.text()
    assert r.status == 404 and 'class="main"' in text and "赵敏" in text
    assert 'href="/console/"' in text and "x.example" not in text

    r = await client.post("/console/drafts", data={"title": "x"}, allow_redirects=False)
    text = await r.text()
    assert r.status == 403 and "表单已过期" in text and "<nav" in text  # no CSRF token

    r = await client.get("/console/drafts/1/submit", headers={"Referer": "/console/drafts"})
    text = await r.text()
    assert r.status == 405 and "请求方式不对" in text and 'href="/console/drafts"' in text
    assert f'value="{csrf}"' in text  # the header's sign-out form works from an error page

    # the JSON API keeps JSON errors
    r = await client.get("/api/drafts/99999", headers=await bearer(sf, "zhao_min"))
    assert r.status == 404 and (await r.json())["error"]


async def test_an_unexpected_console_error_is_a_page_and_the_apis_stay_json(
    settings: Settings, sf: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from bot.app import create_app

    async def boom(request: web.Request) -> web.StreamResponse:
        raise RuntimeError("secret detail")

    app = create_app(settings, run_jobs=False)
    app.router.add_get("/console/boom", boom)
    app.router.add_get("/api/boom", boom)
    async with TestClient(TestServer(app)) as c:
        r = await c.get("/console/boom")
        text = await r.text()
        assert r.status == 500 and "服务器出错" in text and "前往登录" in text
        assert "secret detail" not in text and "secret detail" in caplog.text
        r = await c.get("/api/boom")
        assert r.status == 500 and (await r.json())["error"] == "internal"
