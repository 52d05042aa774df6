"""The review queue's JSON API through the real app, database and token authentication."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from app_support import bearer

from review.db import SessionFactory

POST = {
    "title": "关于开展2026年冬季流浪乞讨人员专项救助行动的通知",
    "body": "各区民政局：为切实做好寒冬期间生活无着流浪乞讨人员救助管理工作，决定开展专项救助行动。",
    "kind": "通知公告",
    "accounts": ["ccmz_wechat"],
    "cover": "cover_ccmz.png",  # inside the media folder (issue 11)
}


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    return app_client


auth = bearer


@pytest.mark.pg
async def test_queue_over_http(client: TestClient, sf: SessionFactory) -> None:
    zhao, li, wang = [await auth(sf, k) for k in ("zhao_min", "li_na", "wang_qiang")]
    assert (await client.get("/api/tasks")).status == 401
    r = await client.post("/api/drafts", json=POST, headers=zhao)
    assert r.status == 201, await r.text()
    draft_id = (await r.json())["id"]
    r = await client.post(f"/api/drafts/{draft_id}/submit", headers=zhao)
    submitted = await r.json()
    assert r.status == 200 and not submitted["blocked"], submitted
    task_id = submitted["tasks"][0]

    listed = await (await client.get("/api/tasks", headers=li)).json()
    assert [t["id"] for t in listed] == [task_id]
    r = await client.post(f"/api/tasks/{task_id}/claim", headers=li)
    assert r.status == 200 and (await r.json())["holder_name"] == "李娜"
    r = await client.post(f"/api/tasks/{task_id}/claim", headers=wang)
    assert r.status == 409 and "李娜" in (await r.json())["message"]
    r = await client.post(f"/api/tasks/{task_id}/approve", json={"note": "同意"}, headers=wang)
    body = await r.json()
    assert (
        r.status == 403 and body["message"] == f"任务 {task_id} 已由 李娜 认领，只有认领人可以处理"
    )
    r = await client.post(f"/api/tasks/{task_id}/claim", headers=zhao)
    assert (
        r.status == 403
        and "不能审核自己参与撰写、提交或豁免检查的稿件" in (await r.json())["message"]
    )

    r = await client.post(f"/api/tasks/{task_id}/reassign", json={"to": "wang_qiang"}, headers=li)
    assert r.status == 403
    r = await client.post(f"/api/tasks/{task_id}/reassign", json={"to": "wang_qiang"}, headers=wang)
    assert r.status == 200 and (await r.json())["holder_name"] == "王强"
    r = await client.post(f"/api/tasks/{task_id}/approve", json={"note": "同意"}, headers=wang)
    approved = await r.json()
    assert r.status == 200 and approved["status"] == "approved" and approved["next_task"]

    nxt = approved["next_task"]
    r = await client.post(f"/api/tasks/{nxt}/claim", headers=wang)
    assert r.status == 200
    r = await client.post(f"/api/tasks/{nxt}/reject", json={}, headers=wang)
    assert r.status == 422 and "驳回理由" in (await r.json())["message"]
    r = await client.post(f"/api/tasks/{nxt}/release", headers=wang)
    assert r.status == 200 and (await r.json())["status"] == "open"
    r = await client.get(f"/api/tasks/{nxt}", headers=li)
    assert r.status == 200 and (await r.json())["stage_name"] == "终审"
    r = await client.get("/api/tasks/99999", headers=li)
    assert r.status == 404

    r = await client.post(
        f"/api/drafts/{draft_id}/override", json={"check": "secrecy", "reason": "短"}, headers=wang
    )
    assert r.status == 422
