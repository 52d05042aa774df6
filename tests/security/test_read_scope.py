"""Read scope: a person reads the drafts of their department (its people wrote them, or they go
to an account it opened), the drafts that reached one of its review stages and the drafts they
worked on; admins read all; outside operators only their own. Tasks and publications follow
their draft. Outside the scope the JSON API and the console answer 404 exactly as for a missing
row, and lists leave it out.

The drafts (all fully approved, so each has a publication, except the last two):
  office   — 赵敏 for 长春民政 (办公室's account): reached 保密审查
  elderly  — 吴芳 for 长春养老服务 (养老服务处's): reached 保密审查
  crossing — 吴芳 (养老服务处) for 长春民政微博 (办公室's), not submitted
  operator — 徐可 (外包运营, 办公室) for 长春民政, not submitted
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient
from app_support import bearer
from console_support import sign_in
from queue_support import PASS, new_draft, person
from sqlalchemy import select

from review import queue
from review.db import SessionFactory
from review.models import Draft, Person, Publication, ReviewTask
from review.read_scope import scope_for
from review.store import draft_scope
from review.store import drafts as dstore
from review.visibility import can_see


@dataclass(frozen=True)
class Bureau:
    office: int
    elderly: int
    crossing: int
    operator: int
    elderly_task: int
    elderly_publication: int

    def ids(self, *names: str) -> set[int]:
        return {getattr(self, n) for n in names}


async def approve_chain(sf: SessionFactory, draft_id: int, author: str, *keys: str) -> None:
    async with sf.begin() as s:
        result = await queue.submit(s, draft_id, await s.merge(await person(sf, author)), gate=PASS)
        task = result.tasks[0]
    for key in keys:
        who = await person(sf, key)
        async with sf.begin() as s:
            await queue.claim(s, task.id, who)
        async with sf.begin() as s:
            step = await queue.approve(s, task.id, who, "同意")
        task = step.next_task or task


async def bureau(sf: SessionFactory) -> Bureau:
    office = await new_draft(sf, title="办公室：民政服务热线升级")
    await approve_chain(sf, office, "zhao_min", "li_na", "wang_qiang", "chen_jing")
    elderly = await new_draft(
        sf, author="wu_fang", accounts=("ccyl_wechat",), title="养老处：冬季助餐点开放时间"
    )
    await approve_chain(sf, elderly, "wu_fang", "sun_li", "zhou_hui", "chen_jing")
    crossing = await new_draft(
        sf, author="wu_fang", accounts=("ccmz_weibo",), title="养老处写给长春民政微博的稿件"
    )
    operator = await new_draft(sf, author="xu_ke", title="外包运营撰写的活动预告")
    async with sf() as s:
        task = await s.scalar(select(ReviewTask.id).where(ReviewTask.draft_id == elderly))
        pub = await s.scalar(select(Publication.id).where(Publication.draft_id == elderly))
    assert task is not None and pub is not None
    return Bureau(office, elderly, crossing, operator, task, pub)


SEES = {
    "zhao_min": ("office", "crossing", "operator"),  # 办公室: its accounts, its people
    "li_na": ("office", "crossing", "operator"),
    "sun_li": ("elderly", "crossing"),  # 养老服务处: its account, 吴芳's drafts
    "chen_jing": ("office", "elderly"),  # 保密办: what reached 保密审查
    "liu_yang": (),  # 法制处: 工作动态 never reaches 法制审核
    "ma_jun": ("office", "elderly", "crossing", "operator"),  # admin
    "xu_ke": ("operator",),  # an outside operator: only their own work
}


@pytest.mark.parametrize("key", sorted(SEES))
async def test_api_lists_and_details_follow_the_scope(
    app_client: TestClient, sf: SessionFactory, key: str
) -> None:
    b = await bureau(sf)
    allowed, headers = b.ids(*SEES[key]), await bearer(sf, key)
    listed = {d["id"] for d in await (await app_client.get("/api/drafts", headers=headers)).json()}
    assert listed == allowed
    for draft_id in b.ids("office", "elderly", "crossing", "operator"):
        r = await app_client.get(f"/api/drafts/{draft_id}", headers=headers)
        if draft_id in allowed:
            assert r.status == 200
        else:  # the very answer a missing draft gets: nothing says it exists
            assert r.status == 404
            assert await r.json() == {"error": "not_found", "message": f"稿件 {draft_id} 不存在"}
    pubs = await (await app_client.get("/api/publications", headers=headers)).json()
    by_draft = {p["draft_id"] for p in pubs["publications"]}
    assert by_draft == allowed & b.ids("office", "elderly")


async def test_another_departments_tasks_and_publications_are_404(
    app_client: TestClient, sf: SessionFactory
) -> None:
    b = await bureau(sf)
    li = await bearer(sf, "li_na")
    task, pub = b.elderly_task, b.elderly_publication
    for method, path in [
        ("GET", f"/api/tasks/{task}"),
        ("POST", f"/api/tasks/{task}/claim"),
        ("POST", f"/api/tasks/{task}/release"),
        ("POST", f"/api/drafts/{b.elderly}/submit"),
        ("PUT", f"/api/drafts/{b.elderly}"),
    ]:
        r = await app_client.request(method, path, headers=li, json={})
        assert r.status == 404, (method, path, r.status)
        assert "不存在" in (await r.json())["message"]
    missing = await app_client.get("/api/tasks/99999", headers=li)
    hidden = await app_client.get(f"/api/tasks/{task}", headers=li)
    assert (await hidden.json())["message"] == f"任务 {task} 不存在"
    assert hidden.status == missing.status == 404
    r = await app_client.post(f"/api/publications/{pub}/retract", headers=li, json={"reason": "x"})
    assert r.status == 404
    assert (await r.json())["message"] == f"发布记录 {pub} 不存在"
    sun = await bearer(sf, "sun_li")  # the owning department still reads its task
    assert (await app_client.get(f"/api/tasks/{task}", headers=sun)).status == 200


async def test_console_pages_follow_the_scope(app_client: TestClient, sf: SessionFactory) -> None:
    b = await bureau(sf)
    await sign_in(app_client, sf, "li_na")
    home = await (await app_client.get("/console/")).text()
    linked = {int(i) for i in re.findall(r'href="/console/drafts/(\d+)"', home)}
    assert linked == b.ids("office", "crossing", "operator")
    r = await app_client.get(f"/console/drafts/{b.elderly}")
    assert r.status == 404 and "冬季助餐点" not in await r.text()
    assert (await app_client.get(f"/console/drafts/{b.office}")).status == 200
    pubs = await (await app_client.get("/console/publications")).text()
    assert "民政服务热线升级" in pubs and "冬季助餐点" not in pubs

    app_client.session.cookie_jar.clear()
    await sign_in(app_client, sf, "chen_jing")  # 保密办: both reached its stage
    pubs = await (await app_client.get("/console/publications")).text()
    assert "民政服务热线升级" in pubs and "冬季助餐点" in pubs
    r = await app_client.get(f"/console/drafts/{b.crossing}")
    assert r.status == 404


@pytest.mark.pg
async def test_the_sql_filter_and_the_pure_rule_agree(sf: SessionFactory) -> None:
    """For every person and every draft: listed by the store filter ⇔ ``can_see``."""
    await bureau(sf)
    async with sf() as s:
        people = (await s.scalars(select(Person))).all()
        draft_ids = (await s.scalars(select(Draft.id))).all()
        for who in people:
            scope = scope_for(who)
            listed = {d.id for d in await dstore.list_drafts(s, scope=scope)}
            for draft_id in draft_ids:
                facts = await draft_scope.draft_facts(s, draft_id)
                assert facts is not None
                assert (draft_id in listed) == can_see(scope, facts), (who.key, draft_id)
