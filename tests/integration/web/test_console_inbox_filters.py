"""The console inbox's filters and pages (issue 15 item 4), as plain GET forms: state, topic,
department (admins only: a replier reads their own department whatever the address says),
overdue, hot and window closing; each row with its deadline and reply window in words."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from console_support import sign_in

from review.db import SessionFactory
from review.models import CitizenMessage, utcnow
from review.reply_window import describe
from review.store import directory
from review.timefmt import fmt

pytestmark = pytest.mark.pg  # the list's SQL (windows, deadlines, count, paging) on both databases


async def add(
    sf: SessionFactory,
    key: str,
    *,
    department: str = "elderly",
    status: str = "assigned",
    topic: str = "养老服务",
    hot: bool = False,
    deadline: timedelta | None = timedelta(days=3),
    window: timedelta | None = None,
    text: str = "请问养老补贴怎么申请？",
) -> int:
    """A routed WeChat message: ``deadline`` and ``window`` (its reply window's closing) are
    offsets from now."""
    now = utcnow()
    async with sf.begin() as s:
        dept = await directory.department_by_key(s, department)
        account = await directory.account_by_key(s, "ccmz_wechat")
        assert dept is not None and account is not None
        msg = CitizenMessage(
            account_id=account.id, platform="wechat", dedup_key=key, sender=f"o_{key}",
            msg_type="text", text=text, status=status, topic=topic, department_id=dept.id,
            hot=hot, processed=True, received_at=now - timedelta(hours=1),
            deadline_at=now + deadline if deadline is not None else None,
            reply_window_closes_at=now + window if window is not None else None,
        )  # fmt: skip
        s.add(msg)
        await s.flush()
        return msg.id


async def listed(client: TestClient, query: str = "") -> tuple[set[int], str]:
    r = await client.get(f"/console/inbox{query}")
    page = await r.text()
    assert r.status == 200, page
    return {int(i) for i in re.findall(r'href="/console/inbox/(\d+)"', page)}, page


async def test_state_filter_defaults_to_the_open_queue(
    app_client: TestClient, sf: SessionFactory
) -> None:
    assigned = await add(sf, "s-assigned")
    overdue = await add(sf, "s-overdue", status="overdue", deadline=-timedelta(hours=2))
    answered = await add(sf, "s-answered", status="answered")
    closed = await add(sf, "s-closed", status="closed")
    await sign_in(app_client, sf, "sun_li")

    assert (await listed(app_client))[0] == {assigned, overdue}
    assert (await listed(app_client, "?state=answered"))[0] == {answered}
    assert (await listed(app_client, "?state=closed"))[0] == {closed}
    assert (await listed(app_client, "?state=all"))[0] == {assigned, overdue, answered, closed}
    ids, page = await listed(app_client, "?state=bogus")
    assert ids == {assigned, overdue} and "未知的状态「bogus」" in page
    assert '<option value="answered">已答复</option>' in page  # the choices, in Chinese


async def test_topic_and_hot_filters(app_client: TestClient, sf: SessionFactory) -> None:
    care = await add(sf, "t-care", topic="养老服务")
    hot = await add(sf, "t-hot", topic="老龄工作", hot=True)
    await sign_in(app_client, sf, "sun_li")

    ids, page = await listed(app_client, "?topic=老龄工作")
    assert ids == {hot}
    assert '<option value="老龄工作" selected>' in page  # the form shows what is applied
    assert (await listed(app_client, "?topic=养老服务"))[0] == {care}
    ids, page = await listed(app_client, "?hot=1")
    assert ids == {hot} and 'name="hot" value="1" checked' in page


async def test_department_filter_is_for_admins_and_a_replier_sees_only_their_own(
    app_client: TestClient, sf: SessionFactory
) -> None:
    elderly = await add(sf, "d-elderly")
    office = await add(sf, "d-office", department="office", topic="民政综合")
    await sign_in(app_client, sf, "ma_jun")  # admin
    ids, page = await listed(app_client)
    assert {elderly, office} <= ids and 'name="department"' in page
    assert (await listed(app_client, "?department=office"))[0] == {office}
    assert (await listed(app_client, "?department=elderly"))[0] == {elderly}

    app_client.session.cookie_jar.clear()
    await sign_in(app_client, sf, "sun_li")  # 养老服务处
    ids, page = await listed(app_client, "?department=office")
    assert ids == {elderly} and 'name="department"' not in page and "养老服务处的留言" in page
    assert "请问养老补贴" in page  # their own department's words

    app_client.session.cookie_jar.clear()
    await sign_in(app_client, sf, "wu_fang")  # an editor of 养老服务处: no citizen's message
    ids, page = await listed(app_client)
    assert ids == set() and "请问养老补贴" not in page and "只有答复人、处室负责人和管理员" in page
    assert (await app_client.get(f"/console/inbox/{elderly}")).status == 404


async def test_overdue_filter_includes_past_deadlines_the_tick_has_not_marked(
    app_client: TestClient, sf: SessionFactory
) -> None:
    marked = await add(sf, "o-marked", status="overdue", deadline=-timedelta(days=1))
    unmarked = await add(sf, "o-unmarked", deadline=-timedelta(minutes=5))
    await add(sf, "o-in-time", deadline=timedelta(days=2))
    await add(sf, "o-no-deadline", deadline=None)
    await sign_in(app_client, sf, "sun_li")
    ids, page = await listed(app_client, "?overdue=1")
    assert ids == {marked, unmarked}
    assert page.count('<span class="tag block">超期</span>') == 2


async def test_window_closing_filter_and_the_rows_say_deadline_and_window(
    app_client: TestClient, sf: SessionFactory
) -> None:
    soon = await add(sf, "w-soon", window=timedelta(hours=1))
    later = await add(sf, "w-later", window=timedelta(hours=10))
    await add(sf, "w-shut", window=-timedelta(hours=1))
    await add(sf, "w-none", window=None)
    await sign_in(app_client, sf, "sun_li")

    assert (await listed(app_client, "?window=2"))[0] == {soon}
    assert (await listed(app_client, "?window=24"))[0] == {soon, later}
    ids, page = await listed(app_client, "?window=5")
    assert len(ids) == 4 and "回复窗口筛选只能选 2、6、24 小时内关闭" in page

    _ids, page = await listed(app_client)
    row = page.split(f'href="/console/inbox/{soon}"', 1)[1].split("</tr>", 1)[0]
    async with sf() as s:
        msg = await s.get(CitizenMessage, soon)
        assert msg is not None and msg.deadline_at is not None
        closes: datetime | None = msg.reply_window_closes_at
    assert describe(closes, utcnow()) in row  # 「回复窗口 12月3日 16:00 关闭」
    assert fmt(msg.deadline_at) in row
    # the open queue's order: the window closing soonest on top
    order = [int(i) for i in re.findall(r'href="/console/inbox/(\d+)"', page)]
    assert order[:2] == [soon, later]


async def test_pages_keep_the_filters(app_client: TestClient, sf: SessionFactory) -> None:
    hot = [await add(sf, f"p-{n}", hot=True, deadline=timedelta(hours=n + 1)) for n in range(45)]
    await add(sf, "p-cold")
    await sign_in(app_client, sf, "sun_li")

    first, page = await listed(app_client, "?hot=1")
    assert first == set(hot[:20]) and "共 45 条 · 第 1/3 页" in page
    following = re.search(r'href="([^"]+)" rel="next"', page)
    assert following and "hot=1" in html.unescape(following.group(1))
    second, page = await listed(
        app_client, html.unescape(following.group(1))[len("/console/inbox") :]
    )
    assert second == set(hot[20:40]) and "第 2/3 页" in page and 'rel="prev"' in page
    third, page = await listed(app_client, "?hot=1&page=3")
    assert third == set(hot[40:]) and 'rel="next"' not in page
    assert (await listed(app_client, "?hot=1&page=9"))[0] == set()  # past the end: empty
