"""``POST /api/drafts/{id}/mask``: the gate's de-identification applied as a new revision."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from app_support import bearer
from console_support import origin, sign_in

from review.db import SessionFactory
from review.store import audit

pytestmark = pytest.mark.pg  # the revision, the audit chain and review restart on both databases

BODY = (
    "经审核，同意给予低保户张建国临时救助。张建国，男，68岁，住幸福街道阳光社区3栋2单元501室，"
    "患尿毒症，救助金额5000元。联系电话13812345678。"
)


async def _create(client: TestClient, auth: dict[str, str]) -> int:
    r = await client.post(
        "/api/drafts",
        json={"title": "临时救助审批结果公示", "body": BODY, "kind": "通知公告",
              "accounts": ["ccmz_wechat"]},
        headers=auth,
    )  # fmt: skip
    assert r.status == 201, await r.text()
    draft_id: int = (await r.json())["id"]
    return draft_id


async def test_mask_makes_a_revision_and_is_audited(
    app_client: TestClient, sf: SessionFactory
) -> None:
    auth = await bearer(sf, "zhao_min")
    draft_id = await _create(app_client, auth)
    r = await app_client.post(f"/api/drafts/{draft_id}/mask", headers=auth)
    assert r.status == 200, await r.text()
    out = await r.json()
    assert out["masked"] is True and out["revision"] == 2
    pairs = {(c["before"], c["after"]) for c in out["changes"]}
    assert ("张建国", "张*国") in pairs and ("13812345678", "138****5678") in pairs
    assert ("3栋2单元501室", "") in pairs
    full = await (await app_client.get(f"/api/drafts/{draft_id}", headers=auth)).json()
    assert "张建国" not in full["body"] and "张*国" in full["body"]
    assert "阳光社区，" in full["body"] and "501室" not in full["body"]
    async with sf() as s:
        actions = [e.action for e in await audit.recent(s)]
        assert (await audit.verify(s))[1] is None
    assert actions.count("draft.edit") == 1 and actions.count("draft.mask") == 1

    # nothing left to mask: no new revision
    again = await (await app_client.post(f"/api/drafts/{draft_id}/mask", headers=auth)).json()
    assert again["masked"] is False and again["changes"] == [] and again["revision"] == 2


async def test_mask_follows_read_scope_and_needs_a_token(
    app_client: TestClient, sf: SessionFactory
) -> None:
    draft_id = await _create(app_client, await bearer(sf, "zhao_min"))
    r = await app_client.post(f"/api/drafts/{draft_id}/mask")
    assert r.status == 401
    other = await bearer(sf, "zheng_lei")  # another department's replier
    seen = await app_client.get(f"/api/drafts/{draft_id}", headers=other)
    r = await app_client.post(f"/api/drafts/{draft_id}/mask", headers=other)
    assert r.status == seen.status == 404
    r = await app_client.post("/api/drafts/999/mask", headers=await bearer(sf, "zhao_min"))
    assert r.status == 404


async def test_the_console_button_masks_what_the_gate_blocked(
    app_client: TestClient, sf: SessionFactory
) -> None:
    """The draft page offers 「一键去标识化」 beside a personal-data finding; pressing it saves the
    masked text as a new revision, says what changed, and the button is gone."""
    draft_id = await _create(app_client, await bearer(sf, "zhao_min"))
    app_client.session.cookie_jar.clear()
    csrf = await sign_in(app_client, sf, "zhao_min")
    page = await (await app_client.get(f"/console/drafts/{draft_id}")).text()
    assert "一键去标识化" in page and "即时检查" in page  # judged as saved, offered at once
    r = await app_client.post(
        f"/console/drafts/{draft_id}/submit", data={"csrf": csrf}, headers=origin(app_client)
    )
    page = await r.text()
    assert "一键去标识化" in page and "张*国" in page  # the suggestion is shown before pressing
    r = await app_client.post(
        f"/console/drafts/{draft_id}/mask", data={"csrf": csrf}, headers=origin(app_client)
    )
    page = await r.text()
    assert r.status == 200 and "已去标识化，保存为第 2 版" in page and "张建国 → 张*国" in page
    assert "一键去标识化（" not in page
    full = await (
        await app_client.get(f"/api/drafts/{draft_id}", headers=await bearer(sf, "zhao_min"))
    ).json()
    assert full["revision"] == 2 and "张建国" not in full["body"]


async def test_the_console_button_needs_the_form_token(
    app_client: TestClient, sf: SessionFactory
) -> None:
    draft_id = await _create(app_client, await bearer(sf, "zhao_min"))
    app_client.session.cookie_jar.clear()
    await sign_in(app_client, sf, "zhao_min")
    r = await app_client.post(
        f"/console/drafts/{draft_id}/mask", data={"csrf": "forged"}, headers=origin(app_client)
    )
    assert r.status == 403
    full = await (
        await app_client.get(f"/api/drafts/{draft_id}", headers=await bearer(sf, "zhao_min"))
    ).json()
    assert full["revision"] == 1
