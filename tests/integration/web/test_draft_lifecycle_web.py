"""The drafts lifecycle through the JSON API and the console: an edit keeps the schedule, a
scheduled post is moved or stopped by its owner department only, and the draft's state follows
its publications (已发布, 已撤回 …) on every page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from app_support import bearer
from console_support import origin, sign_in
from publishing_support import FakeChannel, seed
from sqlalchemy import select, update

from review.db import SessionFactory
from review.models import AuditEvent, Publication, utcnow
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher
from review.timefmt import fmt


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    return app_client


BODY = {
    "title": "我市为困难老年人开展冬季探访关爱服务",
    "body": "市民政局组织各区对特殊困难老年人开展冬季探访关爱，重点了解居家养老服务需求。",
    "kind": "工作动态",
    "accounts": ["ccmz_wechat"],
}


async def scheduled_draft(sf: SessionFactory) -> tuple[int, int]:
    """(draft id, publication id) of a draft approved and scheduled three days from now."""
    pub_id = (await seed(sf, 1, due_at=utcnow() + timedelta(days=3))).publication_ids[0]
    async with sf() as s:
        pub = await s.get(Publication, pub_id)
        assert pub is not None
        return pub.draft_id, pub_id


async def set_status(sf: SessionFactory, pub_id: int, status: str) -> None:
    async with sf.begin() as s:
        await s.execute(update(Publication).where(Publication.id == pub_id).values(status=status))


async def test_an_api_edit_keeps_the_time_unless_it_changes_it(
    client: TestClient, sf: SessionFactory
) -> None:
    auth = await bearer(sf, "zhao_min")
    when = datetime(2099, 12, 3, 1, 0, tzinfo=UTC).isoformat()  # 09:00 Beijing
    r = await client.post("/api/drafts", json={**BODY, "publish_at": when}, headers=auth)
    assert r.status == 201, await r.text()
    created = await r.json()
    assert created["author"] == "zhao_min"  # the token's person
    url = f"/api/drafts/{created['id']}"
    r = await client.put(url, json={**BODY, "title": "冬季探访关爱服务（修订）"}, headers=auth)
    edited = await r.json()
    assert r.status == 200 and edited["publish_at"] == when
    assert edited["schedule_note"] == "发布时间保持为 12月3日 09:00"
    r = await client.put(url, json={**BODY, "publish_at": None}, headers=auth)
    edited = await r.json()
    assert edited["publish_at"] is None and "发布时间已取消" in edited["schedule_note"]


async def test_api_reschedule_and_cancel_by_the_owner_department_only(
    client: TestClient, sf: SessionFactory
) -> None:
    draft_id, pub_id = await scheduled_draft(sf)
    editor, reviewer = await bearer(sf, "zhao_min"), await bearer(sf, "li_na")
    move = {"publish_at": "2099-12-05 08:30"}
    r = await client.post(f"/api/drafts/{draft_id}/reschedule", json=move, headers=reviewer)
    assert r.status == 403 and "不是编辑或处室负责人" in (await r.json())["message"]
    r = await client.post(f"/api/drafts/{draft_id}/reschedule", json=move, headers=editor)
    assert r.status == 200, await r.text()
    assert "12月5日 08:30" in (await r.json())["message"]
    async with sf() as s:
        pub = await s.get(Publication, pub_id)
        assert pub is not None and fmt(pub.due_at) == "2099-12-05 08:30"

    r = await client.post(f"/api/publications/{pub_id}/cancel", headers=reviewer)
    assert r.status == 403
    r = await client.post(f"/api/publications/{pub_id}/cancel", headers=editor)
    assert r.status == 200, await r.text()
    r = await client.post(f"/api/publications/{pub_id}/cancel", headers=editor)
    assert r.status == 409 and "已取消" in (await r.json())["message"]
    shown = await (await client.get(f"/api/drafts/{draft_id}", headers=editor)).json()
    assert (shown["state"], shown["status_label"]) == ("cancelled", "已取消发布")
    async with sf() as s:
        actions = set((await s.scalars(select(AuditEvent.action))).all())
    assert {"draft.reschedule", "publication.cancel"} <= actions


async def test_a_claimed_publication_is_a_409(client: TestClient, sf: SessionFactory) -> None:
    draft_id, pub_id = await scheduled_draft(sf)
    await set_status(sf, pub_id, "publishing")
    editor = await bearer(sf, "zhao_min")
    r = await client.post(f"/api/publications/{pub_id}/cancel", headers=editor)
    assert r.status == 409 and "已被发布程序领取" in (await r.json())["message"]
    r = await client.post(f"/api/drafts/{draft_id}/cancel", headers=editor)
    assert r.status == 409
    async with sf() as s:
        pub = await s.get(Publication, pub_id)
        assert pub is not None and pub.status == "publishing"


@pytest.mark.parametrize(
    ("status", "label"), [("published", "已发布"), ("retracted", "已撤回"), ("failed", "发布失败")]
)
async def test_the_state_follows_the_publication_on_the_api(
    client: TestClient, sf: SessionFactory, status: str, label: str
) -> None:
    draft_id, pub_id = await scheduled_draft(sf)
    await set_status(sf, pub_id, status)
    auth = await bearer(sf, "zhao_min")
    listed = await (await client.get("/api/drafts", headers=auth)).json()
    assert [(d["id"], d["status_label"]) for d in listed] == [(draft_id, label)]
    shown = await (await client.get(f"/api/drafts/{draft_id}", headers=auth)).json()
    assert shown["status"] == "scheduled" and shown["status_label"] == label


async def test_console_buttons_move_and_stop_the_post(
    client: TestClient, sf: SessionFactory
) -> None:
    draft_id, pub_id = await scheduled_draft(sf)
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, sf, "zhao_min")
    page = await (await client.get(f"/console/drafts/{draft_id}")).text()
    assert "发布安排" in page and "改期" in page and "取消发布" in page and "待发布" in page
    r = await client.post(
        f"/console/drafts/{draft_id}/reschedule",
        data={"csrf": csrf, "publish_at": "2099-12-06T07:45"},
        headers=origin(client),
    )
    page = await r.text()
    assert r.status == 200 and "发布时间改为 12月6日 07:45" in page
    r = await client.post(
        f"/console/drafts/{draft_id}/cancel", data={"csrf": csrf}, headers=origin(client)
    )
    page = await r.text()
    assert "定时发布已取消" in page
    tags = re.findall(r'<span class="tag">([^<]*)</span>', page)
    assert "已取消发布" in tags
    await set_status(sf, pub_id, "retracted")
    home = await (await client.get("/console/")).text()
    assert "已撤回" in home


async def test_console_refuses_another_departments_editor(
    client: TestClient, sf: SessionFactory
) -> None:
    draft_id, pub_id = await scheduled_draft(sf)
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, sf, "li_na")  # reads the 办公室's draft, manages no schedule
    r = await client.post(
        f"/console/drafts/{draft_id}/cancel", data={"csrf": csrf}, headers=origin(client)
    )
    assert "不是编辑或处室负责人" in await r.text()
    async with sf() as s:
        pub = await s.get(Publication, pub_id)
        assert pub is not None and pub.status == "scheduled"


async def test_a_console_edit_says_the_time_is_kept(client: TestClient, sf: SessionFactory) -> None:
    auth = await bearer(sf, "zhao_min")
    when = datetime(2099, 12, 3, 1, 0, tzinfo=UTC).isoformat()  # 09:00 Beijing
    created = await (
        await client.post("/api/drafts", json={**BODY, "publish_at": when}, headers=auth)
    ).json()
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, sf, "zhao_min")
    form = await (await client.get(f"/console/drafts/{created['id']}/edit")).text()
    shown = re.search(r'name="publish_at" value="([^"]*)"', form)
    assert shown and shown.group(1) == "2099-12-03T09:00"  # the form carries the time
    edit = {"csrf": csrf, "title": "冬季探访（修订）", "kind": "工作动态", "body": BODY["body"]}
    url = f"/console/drafts/{created['id']}/edit"
    r = await client.post(url, data={**edit, "publish_at": shown.group(1)}, headers=origin(client))
    assert "发布时间保持为 12月3日 09:00" in await r.text()
    r = await client.post(url, data={**edit, "publish_at": ""}, headers=origin(client))
    assert "发布时间已取消" in await r.text()


async def test_a_post_the_publisher_sent_reads_published_and_cannot_be_cancelled(
    client: TestClient, sf: SessionFactory
) -> None:
    pub_id = (await seed(sf, 1)).publication_ids[0]  # due now
    channel = FakeChannel("ccmz_wechat")
    assert await Publisher(sf, {"ccmz_wechat": channel}, PublishingConfig()).publish_due() == 1  # type: ignore[dict-item]
    auth = await bearer(sf, "zhao_min")
    listed = await (await client.get("/api/drafts", headers=auth)).json()
    assert [(d["state"], d["status_label"]) for d in listed] == [("published", "已发布")]
    r = await client.post(f"/api/publications/{pub_id}/cancel", headers=auth)
    assert r.status == 409 and "已发布" in (await r.json())["message"]
