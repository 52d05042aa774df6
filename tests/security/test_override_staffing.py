"""An override or a submission that would leave a stage with nobody to review it is refused up
front, in Chinese, naming the stage and its people — through the API and the CLI.

办公室 has one head, 王强; 长春民政 (WeChat)'s 终审 is a 办公室 head's stage. Separation of duties
keeps whoever overrides or submits off every stage, so his override (or his submission) would
leave 终审 waiting forever. With a second 办公室 head the same override goes through.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from app_support import bearer, run_cli
from queue_support import fake_gate, new_draft, person
from sqlalchemy import func, select

from bot.app import create_app
from bot.config.load import Settings
from review import queue
from review.db import SessionFactory
from review.models import GateRun, Override

BLOCK = fake_gate(block={"personal_data": "正文含身份证号"})
REASON = "依法公开的惩戒信息，经局务会同意"
OVERRIDE_REFUSED = (
    "豁免后「终审」将没有可审核的人：办公室负责人只有王强（豁免人）。"
    "请由其他负责人豁免，或先调整人员。"
)


def with_people(settings: Settings, *, deputy: bool) -> Settings:
    """王强 may also write and submit; with ``deputy`` 办公室 has a second head, 张伟."""
    people = dict(settings.people)
    wang = people["wang_qiang"]
    people["wang_qiang"] = wang.model_copy(update={"roles": (*wang.roles, "editor")})
    if deputy:
        people["zhang_wei"] = wang.model_copy(
            update={"key": "zhang_wei", "name": "张伟", "wecom": "ZhangWei", "roles": ("head",)}
        )
    return replace(settings, people=people)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_people(settings, deputy=False)


async def blocked_draft(sf: SessionFactory) -> int:
    """赵敏's draft, blocked by an overridable check."""
    draft_id = await new_draft(sf)
    async with sf.begin() as s:
        editor = await s.merge(await person(sf, "zhao_min"))
        assert not (await queue.submit(s, draft_id, editor, gate=BLOCK)).tasks
    return draft_id


async def overrides(sf: SessionFactory) -> int:
    async with sf() as s:
        return int(await s.scalar(select(func.count()).select_from(Override)) or 0)


async def test_the_only_head_may_not_override_over_the_api(
    app_client: TestClient, sf: SessionFactory
) -> None:
    draft_id = await blocked_draft(sf)
    r = await app_client.post(
        f"/api/drafts/{draft_id}/override",
        json={"check": "personal_data", "reason": REASON},
        headers=await bearer(sf, "wang_qiang"),
    )
    body = await r.json()
    assert r.status == 409 and body["message"] == OVERRIDE_REFUSED, body
    assert await overrides(sf) == 0


async def test_the_only_head_may_not_override_from_the_cli(
    sf: SessionFactory,
    settings: Settings,
    cli_workdir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWMEDIA_DATABASE_URL", settings.database_url)
    draft_id = await blocked_draft(sf)
    code, _, err = await asyncio.to_thread(
        run_cli, capsys, "review", "override", str(draft_id),
        "--check", "personal_data", "--reason", REASON, "--as", "wang_qiang",
    )  # fmt: skip
    assert code == 2 and OVERRIDE_REFUSED in err, err
    assert await overrides(sf) == 0


async def test_the_only_head_may_not_submit_over_the_api(
    app_client: TestClient, sf: SessionFactory
) -> None:
    """His submission would make him involved too: 终审 would wait for nobody."""
    draft_id = await new_draft(sf)
    r = await app_client.post(
        f"/api/drafts/{draft_id}/submit", headers=await bearer(sf, "wang_qiang")
    )
    body = await r.json()
    assert r.status == 409, body
    assert body["message"] == (
        "由王强提交后「终审」将没有可审核的人：办公室负责人只有王强（提交人）。"
        "请由未参与该稿件的人提交，或先调整人员。"
    )
    async with sf() as s:  # nothing recorded: he is not involved by a refused submission
        assert await s.scalar(select(func.count()).select_from(GateRun)) == 0


@pytest.fixture
async def with_deputy(settings: Settings, sf: SessionFactory) -> AsyncIterator[TestClient]:
    app = create_app(with_people(settings, deputy=True), run_jobs=False)
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_with_a_second_head_the_override_goes_through(
    with_deputy: TestClient, sf: SessionFactory
) -> None:
    draft_id = await blocked_draft(sf)
    r = await with_deputy.post(
        f"/api/drafts/{draft_id}/override",
        json={"check": "personal_data", "reason": REASON},
        headers=await bearer(sf, "wang_qiang"),
    )
    assert r.status in (200, 201), await r.text()
    assert await overrides(sf) == 1
