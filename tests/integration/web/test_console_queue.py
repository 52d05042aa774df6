"""The review queue in the console: each task action through the same ``review.queue``
functions (and audit lines) as chat, CLI and API, and the refusals they give — another
department's task (404 as if missing), a reassignment by a non-head, an override without a
written reason."""

from __future__ import annotations

import html
import re

import pytest
from aiohttp.test_utils import TestClient
from console_support import sign_in

from review.db import SessionFactory
from review.models import ReviewTask
from review.store import audit, directory

pytestmark = pytest.mark.pg  # guarded task changes and the audit chain on both databases

CARE = "市民政局组织各区对特殊困难老年人开展冬季探访关爱，重点了解居家养老服务需求。"
PUNISH = (
    "根据《社会救助暂行办法》，经调查核实，张建国隐瞒家庭收入骗取最低生活保障金，现予以公示。"
    "张建国，住幸福街道阳光社区3栋2单元501室。"
)


def notice(page: str) -> str:
    found = re.search(r'class="flash"[^>]*>([^<]*)<', page)
    return html.unescape(found.group(1)) if found else ""


async def _submitted(
    client: TestClient,
    sf: SessionFactory,
    body: str = CARE,
    kind: str = "工作动态",
    account: str = "ccmz_wechat",
) -> tuple[int, str]:
    """A draft by 赵敏 submitted to one of 长春民政's accounts; returns its id and the page."""
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, sf, "zhao_min")
    form = {"csrf": csrf, "title": "冬季探访关爱服务", "kind": kind, "accounts": account,
            "body": body}  # fmt: skip
    r = await client.post("/console/drafts", data=form, allow_redirects=False)
    draft_id = int(r.headers["Location"].rsplit("/", 1)[1])
    r = await client.post(f"/console/drafts/{draft_id}/submit", data={"csrf": csrf})
    return draft_id, await r.text()


async def _task(sf: SessionFactory, draft_id: int) -> ReviewTask:
    from sqlalchemy import select

    async with sf() as s:
        rows = await s.scalars(
            select(ReviewTask).where(ReviewTask.draft_id == draft_id).order_by(ReviewTask.id.desc())
        )
        return rows.first()  # type: ignore[return-value]


async def _actions(sf: SessionFactory) -> list[str]:
    async with sf() as s:
        return [e.action for e in await audit.recent(s, limit=50)]


async def _as(client: TestClient, sf: SessionFactory, key: str) -> str:
    client.session.cookie_jar.clear()
    return await sign_in(client, sf, key)


async def test_claim_release_claim_approve_from_the_queue(
    app_client: TestClient, sf: SessionFactory
) -> None:
    client = app_client
    draft_id, _ = await _submitted(client, sf)
    task = await _task(sf, draft_id)
    csrf = await _as(client, sf, "li_na")
    page = await (await client.get("/console/queue")).text()
    assert f"<td>#{task.id}</td>" in page and "微信公众号 · 长春民政" in page, (
        "the platform and account"
    )
    assert f'href="/console/drafts/{draft_id}#previews"' in page, "preview before approving"
    assert f'action="/console/tasks/{task.id}/reassign"' not in page, "reassign: heads only"

    back = {"csrf": csrf, "back": "queue"}
    r = await client.post(f"/console/tasks/{task.id}/claim", data=back, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/console/queue"
    page = await (await client.get("/console/queue")).text()
    assert notice(page) == "已完成" and "李娜" in page and "通过" in page
    r = await client.post(f"/console/tasks/{task.id}/release", data=back)
    assert (await _task(sf, draft_id)).status == "open"
    await client.post(f"/console/tasks/{task.id}/claim", data=back)

    # the draft page shows every platform's preview beside the task's buttons
    page = await (await client.get(f"/console/drafts/{draft_id}")).text()
    assert "各平台预览" in page and f'action="/console/tasks/{task.id}/approve"' in page
    r = await client.post(f"/console/tasks/{task.id}/approve", data={**back, "note": "同意"})
    assert notice(await r.text()) == "已完成"
    assert (await _task(sf, draft_id)).stage_name == "终审", "the next stage opened"
    assert ["task.approve", "task.claim", "task.release", "task.claim"] == [
        a for a in await _actions(sf) if a.startswith("task.")
    ][:4]


async def test_reject_and_send_back_need_a_note(app_client: TestClient, sf: SessionFactory) -> None:
    client = app_client
    draft_id, _ = await _submitted(client, sf)
    task = await _task(sf, draft_id)
    csrf = await _as(client, sf, "li_na")
    await client.post(f"/console/tasks/{task.id}/claim", data={"csrf": csrf})
    r = await client.post(f"/console/tasks/{task.id}/reject", data={"csrf": csrf, "note": ""})
    refused = notice(await r.text())
    assert refused and refused != "已完成", "the domain's refusal, in Chinese"
    assert (await _task(sf, draft_id)).status == "claimed"
    r = await client.post(
        f"/console/tasks/{task.id}/revise", data={"csrf": csrf, "note": "请补充探访人数"}
    )
    assert notice(await r.text()) == "已完成"
    assert (await _task(sf, draft_id)).status == "changes_requested"

    csrf = await _as(client, sf, "zhao_min")
    page = await (await client.get(f"/console/drafts/{draft_id}")).text()
    assert "已被退回修改" in page and "请补充探访人数" in page
    assert f'action="/console/drafts/{draft_id}/submit"' not in page, "edit first"


async def test_another_departments_task_is_missing(
    app_client: TestClient, sf: SessionFactory
) -> None:
    client = app_client
    draft_id, _ = await _submitted(client, sf)
    task = await _task(sf, draft_id)
    csrf = await _as(client, sf, "sun_li")  # 养老服务处
    for action in ("claim", "approve", "reassign"):
        r = await client.post(f"/console/tasks/{task.id}/{action}", data={"csrf": csrf})
        assert r.status == 404, action
    assert (await client.get(f"/console/drafts/{draft_id}")).status == 404
    override = {"csrf": csrf, "check": "personal_data", "reason": "惩戒性公示依法须公开当事人姓名"}
    r = await client.post(f"/console/drafts/{draft_id}/override", data=override)
    assert r.status == 404, "another department's draft: no override, as if missing"
    page = await (await client.get("/console/queue")).text()
    assert f"<td>#{task.id}</td>" not in page
    assert (await _task(sf, draft_id)).status == "open"


async def test_only_the_departments_head_reassigns(
    app_client: TestClient, sf: SessionFactory
) -> None:
    client = app_client
    draft_id, _ = await _submitted(client, sf)
    task = await _task(sf, draft_id)
    csrf = await _as(client, sf, "li_na")  # a reviewer, not a head
    r = await client.post(
        f"/console/tasks/{task.id}/reassign", data={"csrf": csrf, "to": "wang_qiang"}
    )
    assert notice(await r.text()) == f"只有办公室负责人可以转派任务 {task.id}"
    assert (await _task(sf, draft_id)).status == "open"

    csrf = await _as(client, sf, "wang_qiang")  # 办公室 head
    page = await (await client.get("/console/queue")).text()
    r = await client.post(f"/console/tasks/{task.id}/reassign", data={"to": "li_na"})
    assert r.status == 403, "no CSRF token, no reassignment"
    assert f'action="/console/tasks/{task.id}/reassign"' in page
    r = await client.post(
        f"/console/tasks/{task.id}/reassign",
        data={"csrf": csrf, "to": "li_na", "back": "queue"},
        allow_redirects=False,
    )
    assert r.headers["Location"] == "/console/queue"
    async with sf() as s:
        li_na = await directory.person_by_key(s, "li_na")
    found = await _task(sf, draft_id)
    assert li_na is not None and found.claimed_by == li_na.id and found.status == "claimed"
    assert "task.reassign" in await _actions(sf)


async def test_override_needs_a_head_and_a_written_reason(
    app_client: TestClient, sf: SessionFactory
) -> None:
    client = app_client
    # on Weibo: with 王强 as the overriding head, the chain (初审 by 办公室 reviewers, 保密审查,
    # 法制审核) still has someone to review each stage (``review.staffing``)
    draft_id, page = await _submitted(client, sf, PUNISH, "惩戒性公示", "ccmz_weibo")
    assert "未通过自动检查" in page and "可经负责人批准例外" in page
    csrf = await _as(client, sf, "li_na")  # not a head: the domain refuses
    r = await client.post(
        f"/console/drafts/{draft_id}/override",
        data={"csrf": csrf, "check": "personal_data", "reason": "惩戒性公示依法须公开姓名"},
    )
    assert notice(await r.text()) == "李娜 不是部门负责人，不能批准例外"

    csrf = await _as(client, sf, "wang_qiang")
    page = await (await client.get(f"/console/drafts/{draft_id}")).text()
    assert f'action="/console/drafts/{draft_id}/override"' in page
    assert '<option value="personal_data">个人信息</option>' in page
    r = await client.post(
        f"/console/drafts/{draft_id}/override",
        data={"csrf": csrf, "check": "personal_data", "reason": "  "},
    )
    assert notice(await r.text()) == "例外理由至少 10 个字"
    assert "draft.override" not in await _actions(sf)
    r = await client.post(
        f"/console/drafts/{draft_id}/override",
        data={"csrf": csrf, "check": "personal_data", "reason": "惩戒性公示依法须公开当事人姓名"},
    )
    assert notice(await r.text()) == "已批准例外，并通知作者重新提交"
    assert "draft.override" in await _actions(sf)

    await _as(client, sf, "zhao_min")
    page = await (await client.get(f"/console/drafts/{draft_id}")).text()
    assert "拦截已由负责人批准例外（个人信息），可以重新提交" in page
    assert f'action="/console/drafts/{draft_id}/submit"' in page
