"""The web console through the real app: sign in with a token, write a draft, submit, claim."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient
from console_support import login_token, origin, sign_in

from bot.config.load import Settings
from review.db import SessionFactory


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    return app_client


async def test_login_required_and_bad_token(client: TestClient) -> None:
    r = await client.get("/console/", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/console/login"
    form = {"token": "nmb_forged", "csrf": await login_token(client)}
    r = await client.post("/console/login", data=form, headers=origin(client))
    assert r.status == 403 and "令牌无效" in await r.text()


async def test_the_console_typed_without_its_slash_is_the_console(client: TestClient) -> None:
    for typed in ("/console", "/"):
        r = await client.get(typed, allow_redirects=False)
        assert r.status == 302 and r.headers["Location"] == "/console/"


async def test_editor_writes_and_submits_reviewer_claims(
    client: TestClient, sf: SessionFactory
) -> None:
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, sf, "zhao_min")
    form = {
        "csrf": csrf,
        "title": "我市为困难老年人开展冬季探访关爱服务",
        "kind": "工作动态",
        "accounts": "ccmz_wechat",
        "body": "市民政局组织各区对特殊困难老年人开展冬季探访关爱，重点了解居家养老服务需求。",
    }
    r = await client.post("/console/drafts", data=form, allow_redirects=False)
    assert r.status == 303
    draft_url = r.headers["Location"].split("?")[0]
    r = await client.post(f"{draft_url}/submit", data={"csrf": csrf}, allow_redirects=True)
    page = await r.text()
    assert "审核中" in page and "已提交审核" in page, re.findall(
        r'class="(?:tag|flash)[^"]*">([^<]*)', page
    )

    # without the CSRF field a form post is refused
    r = await client.post(f"{draft_url}/submit", data={}, allow_redirects=False)
    assert r.status == 403

    client.session.cookie_jar.clear()
    csrf = await sign_in(client, sf, "li_na")
    home = await (await client.get("/console/")).text()
    task_id = re.search(r"<td>#(\d+)</td>", home)
    assert task_id, "the 办公室 reviewer sees the 初审 task"
    r = await client.post(f"/console/tasks/{task_id.group(1)}/claim", data={"csrf": csrf})
    page = await r.text()
    assert "已认领" in page or "李娜" in page


async def test_bad_draft_form_shows_reason(client: TestClient, sf: SessionFactory) -> None:
    csrf = await sign_in(client, sf, "zhao_min")
    r = await client.post("/console/drafts", data={"csrf": csrf, "title": "x", "body": "y"})
    assert "至少选择一个发布账号" in await r.text()


async def test_replier_answers_a_citizen_from_the_console(
    client: TestClient, sf: SessionFactory, settings: Settings
) -> None:
    from inbox_support import follower

    from bot.inbox import ticks as ticks_inbox

    citizen = follower(client, settings)
    sent = await citizen.send_text("我父亲住的养老院这几天暖气不热，请民政局帮忙协调")
    assert sent.status == 200 and sent.text and "受理编号" in sent.text
    await ticks_inbox.process_new(client.app)  # routing is slow work, after the reply

    csrf = await sign_in(client, sf, "sun_li")  # 养老服务处 answers 养老 messages
    page = await (await client.get("/console/inbox")).text()
    found = re.search(r'href="/console/inbox/(\d+)"', page)
    assert found and "养老服务" in page and "热点" in page
    message_url = f"/console/inbox/{found.group(1)}"
    r = await client.post(
        f"{message_url}/reply",
        data={"csrf": csrf, "text": "您好，已联系该养老机构核实整改，今天内恢复供暖。"},
    )
    page = await r.text()
    assert "已答复" in page or "已发送" in page, re.findall(r'class="flash">([^<]*)', page)
    assert "今天内恢复供暖" in page

    client.session.cookie_jar.clear()
    await sign_in(client, sf, "li_na")  # another department sees neither the text nor the page
    r = await client.get(message_url)
    assert r.status == 404 and "暖气" not in await r.text()  # as if missing (need-to-know)
