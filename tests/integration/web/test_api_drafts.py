"""The editor's JSON API through the real app, database and token authentication."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from app_support import bearer
from sqlalchemy import func, select

from review.db import SessionFactory
from review.models import AuditEvent, Draft, Revision
from review.store import audit


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    return app_client


token_for = bearer


def post_body(**over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "title": "我市提高城乡低保标准",
        "body": "自2027年1月1日起，城市最低生活保障标准每人每月提高至800元。",
        "kind": "政策解读",
        "accounts": ["ccmz_wechat", "ccmz_weibo"],
    }
    body.update(over)
    return body


async def count(sf: SessionFactory, model: type) -> int:
    async with sf() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_create_list_show_edit(client: TestClient, sf: SessionFactory) -> None:
    auth = await token_for(sf, "zhao_min")
    when = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    r = await client.post("/api/drafts", json=post_body(publish_at=when), headers=auth)
    assert r.status == 201, await r.text()
    created = await r.json()
    assert created["status"] == "draft" and created["revision"] == 1
    assert created["accounts"] == ["ccmz_wechat", "ccmz_weibo"]

    listed = await (await client.get("/api/drafts", headers=auth)).json()
    assert [d["id"] for d in listed] == [created["id"]]

    r = await client.put(
        f"/api/drafts/{created['id']}",
        json=post_body(title="我市提高城乡低保标准（修订）"),
        headers=auth,
    )
    assert r.status == 200, await r.text()
    edited = await r.json()
    assert edited["revision"] == 2 and edited["content_hash"] != created["content_hash"]

    full = await (await client.get(f"/api/drafts/{created['id']}", headers=auth)).json()
    assert [rev["number"] for rev in full["revisions"]] == [1, 2]
    assert full["title"].endswith("（修订）")
    async with sf() as s:
        checked, problem = await audit.verify(s)
        imported = await s.scalar(  # the 办事指南 imported into the 口径 library at start-up
            select(func.count()).select_from(AuditEvent).where(AuditEvent.subject_type == "wording")
        )
        assert (checked - (imported or 0), problem) == (2, None)  # create + edit
        actions = [e.action for e in await audit.recent(s)]
    assert actions.count("draft.create") == 1 and actions.count("draft.edit") == 1


@pytest.mark.parametrize(
    ("over", "status", "needle"),
    [
        ({"accounts": ["no_such"]}, 422, "未知的账号"),
        ({"publish_at": "2020-01-01 09:00"}, 422, "已经过去"),
        ({"body": "字" * 20_000}, 422, "正文过长"),
        ({"kind": "广告"}, 422, "未知的稿件类型"),
        ({"kind": "转载"}, 422, "来源"),
        ({"title": ""}, 422, "标题不能为空"),
        ({"accounts": "ccmz_wechat"}, 422, "accounts"),
        ({"publish_at": "next tuesday"}, 422, "无法识别的时间"),
    ],
)
async def test_bad_drafts_get_specific_errors_and_write_nothing(
    client: TestClient, sf: SessionFactory, over: dict[str, object], status: int, needle: str
) -> None:
    auth = await token_for(sf, "zhao_min")
    r = await client.post("/api/drafts", json=post_body(**over), headers=auth)
    assert r.status == status
    body = await r.json()
    assert needle in body["message"]
    assert await count(sf, Draft) == 0 and await count(sf, Revision) == 0


async def test_wrong_token_and_bad_json(client: TestClient, sf: SessionFactory) -> None:
    r = await client.get("/api/drafts", headers={"Authorization": "Bearer nmb_forged"})
    assert r.status == 401 and "令牌" in (await r.json())["message"]
    r = await client.get("/api/drafts")
    assert r.status == 401
    auth = await token_for(sf, "zhao_min")
    r = await client.post(
        "/api/drafts", data="{not json", headers={**auth, "Content-Type": "application/json"}
    )
    assert r.status == 400 and (await r.json())["error"] == "bad_json"


async def test_reviewer_without_editor_role_cannot_create(
    client: TestClient, sf: SessionFactory
) -> None:
    auth = await token_for(sf, "chen_jing")
    r = await client.post("/api/drafts", json=post_body(), headers=auth)
    assert r.status == 403 and "editor" in (await r.json())["message"]


async def test_healthz_reports_database_and_scheduler(client: TestClient) -> None:
    r = await client.get("/healthz")
    assert r.status == 200
    body = await r.json()
    assert body["database"]["ok"] is True and body["scheduler"]["running"] is False


async def test_out_of_range_ids_and_limits_are_422_or_clamped(
    client: TestClient, sf: SessionFactory
) -> None:
    auth = await token_for(sf, "zhao_min")
    for bad in ("99999999999999999999", "0", "abc"):
        r = await client.get(f"/api/drafts/{bad}", headers=auth)
        assert r.status in (404, 422), (bad, r.status)
        assert r.status != 404 or bad == "abc"  # 'abc' does not match an id route at all
    await client.post("/api/drafts", json=post_body(), headers=auth)
    r = await client.get("/api/drafts?limit=-5", headers=auth)
    assert r.status == 200 and len(await r.json()) == 1
    r = await client.get("/api/drafts?limit=x", headers=auth)
    assert r.status == 422
