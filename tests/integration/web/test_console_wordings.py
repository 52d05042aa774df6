"""The console's 口径 pages: an entry written, submitted and approved through its chain by
forms alone (no JavaScript), refused to its author; then found on a message page, where
「插入答复」 puts the approved text into the answer box."""

from __future__ import annotations

import html

import pytest
from aiohttp.test_utils import TestClient
from console_support import sign_in
from inbox_support import assigned_message

from review.db import SessionFactory

TEXT = "高龄津贴按月发放，年满80周岁的本市户籍老年人可到社区申请。"


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    return app_client


async def as_person(client: TestClient, sf: SessionFactory, key: str) -> str:
    client.session.cookie_jar.clear()
    return await sign_in(client, sf, key)


async def test_a_wording_goes_through_the_console_and_fills_an_answer(
    client: TestClient, sf: SessionFactory
) -> None:
    csrf = await as_person(client, sf, "zhao_min")
    form = {"csrf": csrf, "kind": "口径", "title": "高龄津贴发放口径", "keywords": "高龄,津贴",
            "text": TEXT, "submit": "1"}  # fmt: skip
    r = await client.post("/console/wordings", data=form, allow_redirects=False)
    assert r.status == 303, await r.text()
    url = r.headers["Location"]
    page = await (await client.get(url)).text()
    assert "待处室审核" in page and "高龄津贴发放口径" in page
    r = await client.post(f"{url}/decide", data={"csrf": csrf, "decision": "approve"})
    assert "不能审核自己撰写或提交的口径版本" in await r.text()

    for person in ("li_na", "chen_jing", "liu_yang"):
        csrf = await as_person(client, sf, person)
        r = await client.post(f"{url}/decide", data={"csrf": csrf, "decision": "approve"})
        assert r.status == 200
    page = await r.text()
    assert "现已生效" in page and "在用：v1" in page

    found = await (await client.get("/console/wordings?q=高龄 津贴")).text()
    assert "高龄津贴发放口径" in found

    msg_id = await assigned_message(
        sf, dedup_key="m-console-kouj", sender="o_k", text="高龄津贴什么时候发？"
    )
    entry_id = url.rsplit("/", 1)[1]
    await as_person(client, sf, "li_na")  # a replier of the message's department
    listed = await (await client.get(f"/console/inbox/{msg_id}?kouj=高龄")).text()
    assert f'name="insert" value="{entry_id}"' in html.unescape(listed)
    filled = await (await client.get(f"/console/inbox/{msg_id}?kouj=高龄&use={entry_id}")).text()
    box = filled.split('<textarea name="text"', 1)[1].split("</textarea>", 1)[0]
    assert TEXT in box
