"""The console's answer form (issue 14): a route chosen with a radio button, no JavaScript; a
refused answer comes back on the page with its text and route kept and the reason above."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient
from console_support import sign_in
from inbox_support import add_shut_window_message

from review.db import SessionFactory
from review.models import CitizenMessage


async def message(sf: SessionFactory) -> int:
    async with sf.begin() as s:
        return (await add_shut_window_message(s, "m-console-routes", "养老院暖气不热，请协调")).id


async def test_route_choice_and_refused_text_kept(
    app_client: TestClient, sf: SessionFactory
) -> None:
    mid = await message(sf)
    csrf = await sign_in(app_client, sf, "sun_li")
    page = await (await app_client.get(f"/console/inbox/{mid}")).text()
    for route in ("cs", "public", "phone"):
        assert f'name="route" value="{route}"' in page

    leaky = "您好，请联系张三，电话13812345678。"
    r = await app_client.post(
        f"/console/inbox/{mid}/reply", data={"csrf": csrf, "text": leaky, "route": "public"}
    )
    page = await r.text()
    assert r.status == 200 and "未执行" in page and "个人信息" in page
    assert leaky in page  # the text kept in the form
    assert re.search(r'value="public" checked', page)

    r = await app_client.post(
        f"/console/inbox/{mid}/reply",
        data={"csrf": csrf, "text": "12月3日致电留言人，已协调恢复供暖。", "route": "phone"},
    )
    page = await r.text()
    assert "已记录电话答复" in page and "电话答复" in page
    async with sf() as s:
        row = await s.get(CitizenMessage, mid)
        assert row is not None and (row.status, row.answer_route) == ("answered", "phone")


async def test_the_page_reads_statuses_and_roles_in_chinese(
    app_client: TestClient, sf: SessionFactory
) -> None:
    """A reply's status and the signed-in person's roles as staff read them, not their codes."""
    mid = await message(sf)
    csrf = await sign_in(app_client, sf, "sun_li")
    for text, route in (("您好，供暖已恢复。", "cs"), ("12月3日致电留言人，已告知。", "phone")):
        await app_client.post(
            f"/console/inbox/{mid}/reply", data={"csrf": csrf, "text": text, "route": route}
        )
    page = await (await app_client.get(f"/console/inbox/{mid}")).text()
    assert "孙丽（审核人、答复人）" in page and "reviewer" not in page
    assert "· 超出回复窗口 ·" in page and "· 已记录 ·" in page
    assert "outside_window" not in page and "recorded" not in page
