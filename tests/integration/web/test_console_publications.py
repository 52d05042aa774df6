"""The console's publications: filtered and paged, the platform on every row, and a post's
page with 撤回, 更正 and 核对 — the same functions chat and the CLI call, their refusals in
Chinese (another department; a row that needs no check), nothing changed when refused."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from console_support import origin, sign_in
from publishing_support import FakeChannel, seed
from sqlalchemy import select, update

from bot.config.load import Settings
from channels.base import Platform
from review.db import SessionFactory
from review.models import Account, AuditEvent, Draft, DraftTarget, Publication, utcnow
from review.timefmt import SHANGHAI, local_date


@pytest.fixture
def fakes() -> dict[str, FakeChannel]:
    return {
        "ccmz_wechat": FakeChannel("ccmz_wechat", platform=Platform.WECHAT),
        "ccmz_weibo": FakeChannel("ccmz_weibo", platform=Platform.WEIBO),
    }


@pytest.fixture
async def client(
    settings: Settings, sf: SessionFactory, fakes: dict[str, FakeChannel]
) -> AsyncIterator[TestClient]:
    """The real app with recording platforms (nothing is due: no publisher runs)."""
    from bot.app import create_app

    app = create_app(settings, channels=dict(fakes), run_jobs=False)
    async with TestClient(TestServer(app)) as c:
        yield c


async def change(sf: SessionFactory, pub_id: int, **values: Any) -> None:
    async with sf.begin() as s:
        await s.execute(update(Publication).where(Publication.id == pub_id).values(**values))


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), SHANGHAI)


async def published(
    sf: SessionFactory, account: str = "ccmz_wechat", title: str = "冬季救助"
) -> int:
    pub_id = (
        await seed(sf, 1, accounts=(account,), title=title, due_at=utcnow() - timedelta(hours=2))
    ).publication_ids[0]
    await change(
        sf,
        pub_id,
        status="published",
        published_at=utcnow() - timedelta(hours=1),
        remote_id=f"r{pub_id}",
        url=f"https://example.invalid/r{pub_id}",
    )
    return pub_id


def row_ids(page: str) -> list[int]:
    return [
        int(n)
        for n in re.findall(r'<td data-label="发布号"><a href="/console/publications/(\d+)"', page)
    ]


async def status_of(sf: SessionFactory, pub_id: int) -> str:
    async with sf() as s:
        pub = await s.get(Publication, pub_id)
        assert pub is not None
        return pub.status


@pytest.mark.pg  # the filters are SQL: both databases
async def test_pages_filters_and_the_platform_on_each_row(
    client: TestClient, sf: SessionFactory
) -> None:
    later = utcnow() + timedelta(days=20)
    await seed(sf, 32, accounts=("ccmz_wechat",), due_at=later, title="养老动态")
    weibo_day = local_date(utcnow()) + timedelta(days=40)
    weibo = (
        await seed(sf, 3, accounts=("ccmz_weibo",), due_at=noon(weibo_day), title="微博快讯")
    ).publication_ids
    for pub_id in weibo:
        await change(sf, pub_id, status="published", published_at=noon(weibo_day))
    await sign_in(client, sf, "li_na")

    first = await (await client.get("/console/publications")).text()
    assert "共 35 条，第 1 / 2 页" in first
    assert len(row_ids(first)) == 30
    assert row_ids(first)[:3] == sorted(weibo, reverse=True)  # the latest time first
    shown = re.findall(r'<td data-label="平台">([^<]*)</td>', first)
    assert len(shown) == 30 and set(shown) == {"微信公众号", "微博"}
    assert 'href="/console/publications?page=2"' in first
    second = await (await client.get("/console/publications?page=2")).text()
    assert len(row_ids(second)) == 5 and not set(row_ids(second)) & set(row_ids(first))

    only = await (await client.get("/console/publications?platform=weibo")).text()
    assert sorted(row_ids(only)) == sorted(weibo) and "共 3 条" in only
    assert set(re.findall(r'<td data-label="平台">([^<]*)</td>', only)) == {"微博"}
    state = await (await client.get("/console/publications?state=published")).text()
    assert sorted(row_ids(state)) == sorted(weibo)
    account = await (await client.get("/console/publications?account=ccmz_wechat&page=2")).text()
    assert "共 32 条，第 2 / 2 页" in account and len(row_ids(account)) == 2
    assert 'href="/console/publications?account=ccmz_wechat&amp;page=1"' in account
    day = weibo_day.isoformat()
    ranged = await (await client.get(f"/console/publications?since={day}&until={day}")).text()
    assert sorted(row_ids(ranged)) == sorted(weibo)
    before = (weibo_day - timedelta(days=1)).isoformat()
    empty = await (await client.get(f"/console/publications?until={before}&state=published")).text()
    assert "没有符合条件的发布记录" in empty
    # a filter that is not understood is dropped, not an error
    odd = await (await client.get("/console/publications?state=bogus&since=12/01/2026")).text()
    assert "共 35 条" in odd

    client.session.cookie_jar.clear()
    await sign_in(client, sf, "wu_fang")  # 养老服务处: none of the 办公室's drafts
    theirs = await (await client.get("/console/publications")).text()
    assert "共 0 条" in theirs and row_ids(theirs) == []
    r = await client.get(f"/console/publications/{weibo[0]}")
    assert r.status == 404


async def test_retract_asks_for_a_reason_and_a_confirmation(
    client: TestClient, sf: SessionFactory, fakes: dict[str, FakeChannel]
) -> None:
    pub_id = await published(sf)
    csrf = await sign_in(client, sf, "li_na")  # a reviewer of the 办公室, which owns it
    page = await (await client.get(f"/console/publications/{pub_id}")).text()
    assert "撤回原因" in page and "确认从平台删除" in page and "微信公众号" in page
    url = f"/console/publications/{pub_id}/retract"
    r = await client.post(url, data={"csrf": csrf, "reason": "数据有误"}, headers=origin(client))
    assert "请勾选「确认从平台删除」" in await r.text()
    r = await client.post(
        url, data={"csrf": csrf, "confirm": "1", "reason": " "}, headers=origin(client)
    )
    assert "撤回必须写明原因" in await r.text()
    assert fakes["ccmz_wechat"].retracted == [] and await status_of(sf, pub_id) == "published"

    r = await client.post(
        url, data={"csrf": csrf, "confirm": "1", "reason": "数据有误"}, headers=origin(client)
    )
    page = await r.text()
    assert f"已撤回发布记录 {pub_id}「冬季救助1」" in page and "起草更正说明" in page
    assert fakes["ccmz_wechat"].retracted == [(f"r{pub_id}", 1)]
    assert await status_of(sf, pub_id) == "retracted"
    async with sf() as s:
        event = await s.scalar(select(AuditEvent).where(AuditEvent.action == "publication.retract"))
        assert event is not None and event.actor == "li_na" and event.detail["reason"] == "数据有误"
    # retracted: no second retraction, the correction form stays
    assert "撤回原因" not in page and "起草更正说明并提交审核" in page
    r = await client.post(
        url, data={"csrf": csrf, "confirm": "1", "reason": "再撤"}, headers=origin(client)
    )
    assert "当前状态为「已撤回」，只有已发布的内容可以撤回" in await r.text()


async def test_retract_refused_to_who_does_not_own_the_account(
    client: TestClient, sf: SessionFactory, fakes: dict[str, FakeChannel]
) -> None:
    pub_id = await published(sf)
    csrf = await sign_in(client, sf, "zhao_min")  # the 办公室's editor: not a reviewer
    form = {"csrf": csrf, "confirm": "1", "reason": "数据有误"}
    r = await client.post(
        f"/console/publications/{pub_id}/retract", data=form, headers=origin(client)
    )
    assert "赵敏 不是账号「长春民政」主管部门的审核人，不能撤回或更正" in await r.text()

    async with sf.begin() as s:  # the 养老服务处 reads the draft (it targets their account too)
        pub = await s.get(Publication, pub_id)
        elderly = await s.scalar(select(Account).where(Account.key == "ccyl_wechat"))
        assert pub is not None and elderly is not None
        s.add(DraftTarget(draft_id=pub.draft_id, account_id=elderly.id))
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, sf, "zhou_hui")  # head of the 养老服务处
    form["csrf"] = csrf
    r = await client.post(
        f"/console/publications/{pub_id}/retract", data=form, headers=origin(client)
    )
    assert "周慧 不是账号「长春民政」主管部门的审核人" in await r.text()
    r = await client.post(
        f"/console/publications/{pub_id}/correct", data={"csrf": csrf}, headers=origin(client)
    )
    assert "不能撤回或更正" in await r.text()
    assert fakes["ccmz_wechat"].retracted == [] and await status_of(sf, pub_id) == "published"

    client.session.cookie_jar.clear()
    csrf = await sign_in(client, sf, "sun_li")  # 养老服务处, and this draft is not theirs
    other = await published(sf, title="另一条")
    r = await client.post(
        f"/console/publications/{other}/retract",
        data={"csrf": csrf, "confirm": "1", "reason": "x"},
        headers=origin(client),
    )
    assert r.status == 404


async def test_correct_drafts_a_notice_into_review(client: TestClient, sf: SessionFactory) -> None:
    pub_id = await published(sf)
    csrf = await sign_in(client, sf, "li_na")
    r = await client.post(
        f"/console/publications/{pub_id}/correct",
        data={"csrf": csrf, "correction": "救助标准为每人每月 800 元。"},
        headers=origin(client),
    )
    page = await r.text()
    assert "已起草更正说明（稿件" in page, re.findall(r'class="flash"[^>]*>([^<]*)', page)
    async with sf() as s:
        notice = await s.scalar(select(Draft).where(Draft.corrects_publication_id == pub_id))
        assert notice is not None and notice.status in ("in_review", "blocked")
    # a post that never went out needs no correction
    scheduled = (await seed(sf, 1, due_at=utcnow() + timedelta(days=9))).publication_ids[0]
    r = await client.post(
        f"/console/publications/{scheduled}/correct", data={"csrf": csrf}, headers=origin(client)
    )
    assert "尚未发布，无需更正" in await r.text()


async def test_settle_records_what_the_person_found(client: TestClient, sf: SessionFactory) -> None:
    pub_id = (await seed(sf, 1, due_at=utcnow() - timedelta(hours=1))).publication_ids[0]
    await change(sf, pub_id, status="needs_check", attempts=1, last_error="发送结果不明")
    csrf = await sign_in(client, sf, "li_na")
    page = await (await client.get(f"/console/publications/{pub_id}")).text()
    assert "人工核对发送结果" in page and 'value="published"' in page and 'value="retry"' in page
    url = f"/console/publications/{pub_id}/settle"
    r = await client.post(url, data={"csrf": csrf, "note": "后台已看到"}, headers=origin(client))
    assert "请选择核对结果" in await r.text()
    r = await client.post(
        url, data={"csrf": csrf, "outcome": "published", "note": "看"}, headers=origin(client)
    )
    assert "请写明核对依据，至少 4 个字" in await r.text()
    r = await client.post(
        url,
        data={"csrf": csrf, "outcome": "published", "note": "公众号后台已看到"},
        headers=origin(client),
    )
    assert "已发布须填写平台编号或文章链接" in await r.text()
    assert await status_of(sf, pub_id) == "needs_check"
    r = await client.post(
        url,
        data={
            "csrf": csrf,
            "outcome": "published",
            "note": "公众号后台已看到",
            "url": "https://mp.weixin.qq.com/s/abc",
        },
        headers=origin(client),
    )
    assert f"发布记录 {pub_id} 已核对为「已发布」（长春民政）" in await r.text()
    async with sf() as s:
        pub = await s.get(Publication, pub_id)
        assert pub is not None and pub.status == "published"
        assert pub.url == "https://mp.weixin.qq.com/s/abc"

    # a row that is not waiting for a check
    r = await client.post(
        url,
        data={"csrf": csrf, "outcome": "failed", "note": "公众号后台未看到"},
        headers=origin(client),
    )
    assert f"发布记录 {pub_id} 当前为「已发布」，不需要人工核对" in await r.text()
    assert await status_of(sf, pub_id) == "published"


async def test_settle_refused_to_another_department(client: TestClient, sf: SessionFactory) -> None:
    pub_id = (await seed(sf, 1, due_at=utcnow() - timedelta(hours=1))).publication_ids[0]
    await change(sf, pub_id, status="needs_check", attempts=1)
    async with sf.begin() as s:
        pub = await s.get(Publication, pub_id)
        elderly = await s.scalar(select(Account).where(Account.key == "ccyl_wechat"))
        assert pub is not None and elderly is not None
        s.add(DraftTarget(draft_id=pub.draft_id, account_id=elderly.id))
    csrf = await sign_in(client, sf, "zhou_hui")
    r = await client.post(
        f"/console/publications/{pub_id}/settle",
        data={"csrf": csrf, "outcome": "failed", "note": "后台未看到该文"},
        headers=origin(client),
    )
    assert "周慧 不是账号「长春民政」主管部门的审核人，不能核对发布结果" in await r.text()
    assert await status_of(sf, pub_id) == "needs_check"
