"""The console's draft forms carry the 公开属性: offered on the new-draft page, saved with the
draft, kept by an edit, and a 不予公开 draft is blocked when submitted from the console."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from console_support import sign_in
from sqlalchemy import select

from review.db import SessionFactory
from review.models import Draft, Revision


async def test_the_form_offers_saves_and_keeps_the_attribute(
    app_client: TestClient, sf: SessionFactory
) -> None:
    csrf = await sign_in(app_client, sf, "zhao_min")
    page = await (await app_client.get("/console/drafts/new")).text()
    assert 'name="disclosure"' in page and "<option>不予公开</option>" in page
    form = {
        "csrf": csrf,
        "title": "我市为困难老年人开展冬季探访关爱服务",
        "kind": "工作动态",
        "disclosure": "不予公开",
        "accounts": "ccmz_wechat",
        "body": "市民政局组织各区对特殊困难老年人开展冬季探访关爱，重点了解居家养老服务需求。",
    }
    r = await app_client.post("/console/drafts", data=form, allow_redirects=False)
    assert r.status == 303, await r.text()
    draft_url = r.headers["Location"].split("?")[0]
    async with sf() as s:
        [rev] = (await s.scalars(select(Revision))).all()
    assert rev.disclosure == "不予公开"
    edit = await (await app_client.get(f"{draft_url}/edit")).text()
    assert "<option selected>不予公开</option>" in edit
    r = await app_client.post(f"{draft_url}/submit", data={"csrf": csrf}, allow_redirects=True)
    assert "不予公开" in await r.text()
    async with sf() as s:
        draft = await s.scalar(select(Draft))
    assert draft is not None and draft.status == "blocked"
