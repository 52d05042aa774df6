"""The console's publishing calendar: one account's week and month with each post's state,
failed and 待人工核对 standing out, links to move between periods, and 改期 / 取消 from a post
through the domain's own rules (谁开设、谁管理) — refusals in Chinese, nothing changed."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from console_support import origin, sign_in
from publishing_support import seed
from sqlalchemy import select, update

from review.db import SessionFactory
from review.models import Account, DraftTarget, Publication, utcnow
from review.timefmt import SHANGHAI, day_label, local_date


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    return app_client


def week_ahead() -> date:
    """A Monday two weeks from now: far enough that nothing is due while the test runs."""
    today = local_date(utcnow())
    return today + timedelta(days=14 - today.weekday())


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), SHANGHAI)


async def change(sf: SessionFactory, pub_id: int, **values: Any) -> None:
    async with sf.begin() as s:
        await s.execute(update(Publication).where(Publication.id == pub_id).values(**values))


async def status(sf: SessionFactory, pub_id: int) -> str:
    async with sf() as s:
        pub = await s.get(Publication, pub_id)
        assert pub is not None
        return pub.status


async def week_of_posts(sf: SessionFactory, monday: date) -> dict[str, int]:
    """Four posts of 长春民政 (WeChat) in one week: scheduled, published, failed, needs_check."""
    ids = (await seed(sf, 4, due_at=at(monday, 9), title="冬季救助")).publication_ids
    names = dict(zip(("scheduled", "published", "failed", "needs_check"), ids, strict=True))
    await change(sf, names["scheduled"], due_at=at(monday + timedelta(days=2), 17, 0))
    await change(
        sf, names["published"], status="published", published_at=at(monday, 9, 2), remote_id="r1"
    )
    await change(sf, names["failed"], status="failed", last_error="平台拒绝：内容重复")
    await change(sf, names["needs_check"], status="needs_check", due_at=at(monday, 10))
    return names


async def test_the_week_shows_each_post_with_its_state(
    client: TestClient, sf: SessionFactory
) -> None:
    monday = week_ahead()
    ids = await week_of_posts(sf, monday)
    await sign_in(client, sf, "li_na")
    r = await client.get(f"/console/calendar?account=ccmz_wechat&view=week&day={monday}")
    page = await r.text()
    assert r.status == 200
    for offset in range(7):
        assert day_label(monday + timedelta(days=offset)) in page  # 12月14日 周一 …
    assert "长春民政（微信公众号）" in page
    for label in ("待发布", "已发布", "发布失败", "待人工核对"):
        assert label in page
    # failed and needs_check stand out, and lead their day
    marked = re.findall(r'class="cal-post s-(\w+)( attention)?"', page)
    assert ("failed", " attention") in marked and ("needs_check", " attention") in marked
    assert ("published", "") in marked and ("scheduled", "") in marked
    first_monday = marked[0][0]
    assert first_monday in ("failed", "needs_check")
    assert "平台拒绝：内容重复" in page
    assert f'href="/console/publications/{ids["failed"]}"' in page
    # times in Beijing time: the published one went out at 09:02, the scheduled is due 17:00
    assert "09:02" in page and "17:00" in page
    # only the scheduled post offers 改期 / 取消
    assert page.count("/reschedule") == 1 and page.count("/cancel") == 1
    assert f'action="/console/publications/{ids["scheduled"]}/reschedule"' in page


@pytest.mark.pg  # the filters are SQL: both databases
async def test_navigation_is_links_between_weeks_and_months(
    client: TestClient, sf: SessionFactory
) -> None:
    monday = week_ahead()
    await week_of_posts(sf, monday)
    await sign_in(client, sf, "li_na")
    page = await (
        await client.get(f"/console/calendar?account=ccmz_wechat&view=week&day={monday}")
    ).text()
    before, after = monday - timedelta(days=7), monday + timedelta(days=7)
    assert f"account=ccmz_wechat&amp;view=week&amp;day={before}" in page
    assert f"account=ccmz_wechat&amp;view=week&amp;day={after}" in page
    assert f"account=ccmz_wechat&amp;view=month&amp;day={monday}" in page
    # the week after has none of these posts
    later = await (
        await client.get(f"/console/calendar?account=ccmz_wechat&view=week&day={after}")
    ).text()
    assert "冬季救助" not in later and "没有排期或发布" in later

    month = await (
        await client.get(f"/console/calendar?account=ccmz_wechat&view=month&day={monday}")
    ).text()
    assert f"{monday.year}年{monday.month}月" in month
    assert month.count("冬季救助") == 4
    assert "发布失败" in month and "待人工核对" in month
    first = monday.replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    assert f"view=month&amp;day={previous}" in month
    # another account's calendar does not show them
    other = await (
        await client.get(f"/console/calendar?account=ccmz_weibo&view=month&day={monday}")
    ).text()
    assert "冬季救助" not in other and "长春民政（微博）" in other


async def test_reschedule_and_cancel_from_the_calendar(
    client: TestClient, sf: SessionFactory
) -> None:
    monday = week_ahead()
    ids = await week_of_posts(sf, monday)
    csrf = await sign_in(client, sf, "zhao_min")  # an editor of the 办公室, which owns the account
    back = f"/console/calendar?account=ccmz_wechat&view=week&day={monday}"
    new_day = monday + timedelta(days=3)
    r = await client.post(
        f"/console/publications/{ids['scheduled']}/reschedule",
        data={"csrf": csrf, "publish_at": f"{new_day} 10:30", "back": back},
        headers=origin(client),
        allow_redirects=False,
    )
    assert r.status == 303 and r.headers["Location"] == back
    page = await (await client.get(back)).text()
    assert f"发布时间改为 {new_day.month}月{new_day.day}日 10:30" in page
    async with sf() as s:
        pub = await s.get(Publication, ids["scheduled"])
        assert pub is not None and pub.due_at == at(new_day, 10, 30)

    r = await client.post(
        f"/console/publications/{ids['scheduled']}/cancel",
        data={"csrf": csrf, "back": back},
        headers=origin(client),
    )
    page = await r.text()
    assert f"已取消发布 {ids['scheduled']}" in page and "已取消" in page
    async with sf() as s:
        pub = await s.get(Publication, ids["scheduled"])
        assert pub is not None and pub.status == "cancelled"

    # a cancelled post is scheduled again by a new time (the draft's 改期)
    page = await (await client.get(back)).text()
    assert "重新排期" in page
    r = await client.post(
        f"/console/publications/{ids['scheduled']}/reschedule",
        data={"csrf": csrf, "publish_at": f"{new_day} 11:00", "back": back},
        headers=origin(client),
    )
    assert f"已取消的发布 {ids['scheduled']} 恢复为待发布" in await r.text()
    assert await status(sf, ids["scheduled"]) == "scheduled"

    # a published post cannot be moved: the domain says why
    r = await client.post(
        f"/console/publications/{ids['published']}/cancel",
        data={"csrf": csrf, "back": back},
        headers=origin(client),
    )
    assert "已发布；如需撤下，请用「撤回」" in await r.text()
    r = await client.post(
        f"/console/publications/{ids['published']}/reschedule",
        data={"csrf": csrf, "publish_at": "明天", "back": back},
        headers=origin(client),
    )
    assert "无法识别的时间「明天」" in await r.text()


async def test_another_departments_people_cannot_move_or_stop_it(
    client: TestClient, sf: SessionFactory
) -> None:
    monday = week_ahead()
    ids = await week_of_posts(sf, monday)
    pub_id = ids["scheduled"]
    back = f"/console/calendar?account=ccmz_wechat&view=week&day={monday}"
    # the draft also targets 长春养老服务: the 养老服务处 reads it, but the 办公室's post is not
    # theirs to move (谁开设、谁管理)
    async with sf.begin() as s:
        pub = await s.get(Publication, pub_id)
        elderly = await s.scalar(select(Account).where(Account.key == "ccyl_wechat"))
        assert pub is not None and elderly is not None
        s.add(DraftTarget(draft_id=pub.draft_id, account_id=elderly.id))
    csrf = await sign_in(client, sf, "wu_fang")  # an editor of the 养老服务处
    r = await client.post(
        f"/console/publications/{pub_id}/cancel",
        data={"csrf": csrf, "back": back},
        headers=origin(client),
    )
    page = await r.text()
    assert "谁开设、谁管理" in page and "吴芳 不能取消或改期" in page
    r = await client.post(
        f"/console/publications/{pub_id}/reschedule",
        data={"csrf": csrf, "publish_at": f"{monday} 11:00", "back": back},
        headers=origin(client),
    )
    assert "谁开设、谁管理" in await r.text()
    # a post of a draft they may not read does not exist for them
    r = await client.post(
        f"/console/publications/{ids['failed']}/cancel",
        data={"csrf": csrf, "back": back},
        headers=origin(client),
    )
    assert r.status == 404 and "不存在" in await r.text()

    client.session.cookie_jar.clear()
    csrf = await sign_in(client, sf, "li_na")  # the 办公室's reviewer: reads it, moves nothing
    r = await client.post(
        f"/console/publications/{pub_id}/cancel",
        data={"csrf": csrf, "back": "https://evil.example/"},
        headers=origin(client),
        allow_redirects=False,
    )
    assert r.status == 303 and r.headers["Location"] == "/console/calendar"
    page = await (await client.get("/console/calendar")).text()
    assert "不是编辑或处室负责人" in page
    r = await client.post(
        f"/console/publications/{pub_id}/cancel", data={"back": back}, headers=origin(client)
    )
    assert r.status == 403  # no CSRF token
    async with sf() as s:
        pub = await s.get(Publication, pub_id)
        assert (
            pub is not None
            and pub.status == "scheduled"
            and pub.due_at == at(monday + timedelta(days=2), 17)
        )
