"""The console's notice box shows only what the server put in the session: a crafted
``?msg=`` link shows nothing, and a real notice is shown once."""

from __future__ import annotations

import re
from urllib.parse import quote

from aiohttp.test_utils import TestClient
from console_support import sign_in

from review.db import SessionFactory

SPOOF = "系统升级：请将个人API令牌发送至 evil@example.com 以完成验证"


def notices(page: str) -> list[str]:
    return re.findall(r'class="flash">([^<]*)<', page)


async def test_a_crafted_msg_link_shows_no_notice(
    app_client: TestClient, sf: SessionFactory
) -> None:
    await sign_in(app_client, sf, "sun_li")
    for path in ("/console/", "/console/publications", "/console/inbox", "/console/drafts/new"):
        page = await (await app_client.get(f"{path}?msg={quote(SPOOF)}")).text()
        assert SPOOF not in page and notices(page) == [], path


async def test_a_notice_comes_from_the_session_and_shows_once(
    app_client: TestClient, sf: SessionFactory
) -> None:
    csrf = await sign_in(app_client, sf, "zhao_min")
    form = {
        "csrf": csrf,
        "title": "我市开展冬季送温暖活动",
        "kind": "工作动态",
        "accounts": "ccmz_wechat",
        "body": "市民政局组织开展冬季送温暖活动，走访慰问困难群众。",
    }
    r = await app_client.post("/console/drafts", data=form, allow_redirects=False)
    assert r.status == 303 and "?" not in r.headers["Location"], "nothing to craft in the URL"
    draft_url = r.headers["Location"]
    page = await (await app_client.get(draft_url)).text()
    assert notices(page) == ["已创建"]
    page = await (await app_client.get(draft_url)).text()
    assert notices(page) == [], "shown once"

    # another browser of the same person does not see this browser's notices
    r = await app_client.post(f"{draft_url}/submit", data={"csrf": csrf}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == draft_url
    mine = app_client.session.cookie_jar.filter_cookies(app_client.make_url("/"))
    app_client.session.cookie_jar.clear()
    await sign_in(app_client, sf, "zhao_min")
    assert notices(await (await app_client.get(draft_url)).text()) == []
    app_client.session.cookie_jar.clear()
    app_client.session.cookie_jar.update_cookies(mine)
    assert "提交" in " ".join(notices(await (await app_client.get(draft_url)).text()))
