"""The JSON API takes the disclosure attribute and the 规范性文件 a 政策解读 interprets; a
draft marked 不予公开 is blocked at its submission, and an edit that omits the attribute keeps it."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from app_support import bearer

from review.db import SessionFactory

BODY = {
    "title": "长春市最低生活保障审核确认办法",
    "body": "第一条 为规范最低生活保障审核确认工作，制定本办法。",
    "kind": "规范性文件",
    "accounts": ["ccmz_wechat"],
}


async def test_disclosure_and_interprets_through_the_api(
    app_client: TestClient, sf: SessionFactory
) -> None:
    auth = await bearer(sf, "zhao_min")
    r = await app_client.post("/api/drafts", json={**BODY, "disclosure": "不予公开"}, headers=auth)
    assert r.status == 201, await r.text()
    doc = await r.json()
    assert doc["disclosure"] == "不予公开"
    r = await app_client.put(f"/api/drafts/{doc['id']}", json=BODY, headers=auth)
    assert r.status == 200 and (await r.json())["disclosure"] == "不予公开"
    r = await app_client.post(f"/api/drafts/{doc['id']}/submit", headers=auth)
    result = await r.json()
    assert "不予公开" in str(result), result
    r = await app_client.post("/api/drafts", json={**BODY, "disclosure": "内部"}, headers=auth)
    assert r.status == 422 and "未知的公开属性" in str(await r.json())

    reading = {**BODY, "title": "政策解读", "kind": "政策解读", "interprets": doc["id"]}
    other = await bearer(sf, "wu_fang")
    r = await app_client.post(
        "/api/drafts", json={**reading, "accounts": ["ccyl_wechat"]}, headers=other
    )
    assert r.status == 403 and "谁起草、谁解读" in str(await r.json())
    r = await app_client.post("/api/drafts", json=reading, headers=auth)
    assert r.status == 201 and (await r.json())["interprets"] == doc["id"]
    r = await app_client.post("/api/drafts", json={**reading, "interprets": "x"}, headers=auth)
    assert r.status == 422
