"""The demo path: the real app, the in-process sandbox, real WeChat/Weibo clients.

An approved post due now appears on the sandbox timeline; WeChat's PUBLISHJOBFINISH comes back
signed and encrypted to the service's own callback and settles the publication.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from publishing_support import seed
from sqlalchemy import select

from bot import keys
from bot.app import create_app
from bot.config.load import Settings
from bot.sandbox.wiring import RUNTIME
from channels.sandbox.app import Sandbox
from review.models import Publication
from review.publishing.reconciliation import poll_pending
from review.store import directory


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[TestClient[Any, Any]]:
    fast = settings.file.model_copy(
        update={"sandbox": settings.file.sandbox.model_copy(update={"publish_delay_seconds": 0.2})}
    )
    app = create_app(replace(settings, file=fast), run_jobs=False)
    async with TestClient(TestServer(app)) as c:
        app[RUNTIME].self_url = str(c.make_url("/")).rstrip("/")
        yield c


async def statuses(c: TestClient[Any, Any]) -> dict[str, str]:
    async with c.app[keys.SESSIONS]() as s:
        rows = (await s.scalars(select(Publication))).all()
        return {str(p.account_id): p.status for p in rows}


async def wait_for(predicate: Any, limit: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + limit
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_approved_post_appears_on_the_sandbox_timeline(
    client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    app = client.app
    await seed(app[keys.SESSIONS], 2, accounts=("ccmz_wechat", "ccmz_weibo"), title="养老服务补贴")
    publisher = app[keys.PUBLISHER]
    assert await publisher.publish_due() == 2

    async def all_published() -> bool:
        return set((await statuses(client)).values()) == {"published"}

    # WeChat settles through the signed PUBLISHJOBFINISH callback, Weibo at once
    await wait_for(all_published)
    assert "own callback" not in caplog.text  # settled by the callback, not the fallback
    sandbox = app[keys.SANDBOX]
    assert isinstance(sandbox, Sandbox)
    wechat = sandbox.wechat.state("ccmz_wechat").timeline
    weibo = sandbox.weibo.state("ccmz_weibo").statuses
    assert [p.articles[0].title for p in wechat] == ["养老服务补贴1"]
    assert len(weibo) == 1 and "养老服务补贴2" in weibo[0].text
    assert sandbox.recorder.count("cgi-bin/freepublish/submit") == 1
    page = await client.get("/sandbox/")
    assert page.status == 200
    html = await page.text()
    assert "养老服务补贴1" in html and "养老服务补贴2" in html


async def test_polling_settles_when_no_event_arrives(client: TestClient[Any, Any]) -> None:
    app = client.app
    sandbox = app[keys.SANDBOX]
    assert isinstance(sandbox, Sandbox)
    sandbox.set_event_sink(None)
    await seed(app[keys.SESSIONS], 1, accounts=("ccmz_wechat",))
    await app[keys.PUBLISHER].publish_due()
    assert set((await statuses(client)).values()) == {"pending"}
    await asyncio.sleep(0.3)
    assert await poll_pending(app[keys.PUBLISHER]) == 1
    assert set((await statuses(client)).values()) == {"published"}


async def test_retract_through_the_api(client: TestClient[Any, Any]) -> None:
    app = client.app
    sandbox = app[keys.SANDBOX]
    assert isinstance(sandbox, Sandbox)
    await seed(app[keys.SESSIONS], 1, accounts=("ccmz_weibo",))
    await app[keys.PUBLISHER].publish_due()
    async with app[keys.SESSIONS].begin() as s:
        editor = await directory.person_by_key(s, "zhao_min")
        reviewer = await directory.person_by_key(s, "li_na")
        assert editor is not None and reviewer is not None
        editor_token = await directory.issue_token(s, editor)
        reviewer_token = await directory.issue_token(s, reviewer)
    listing = await client.get(
        "/api/publications", headers={"Authorization": f"Bearer {editor_token}"}
    )
    [row] = (await listing.json())["publications"]
    assert row["status"] == "published" and row["remote_id"] and row["attempts"] == 1
    url = f"/api/publications/{row['id']}/retract"
    denied = await client.post(
        url, json={"reason": "数据有误"}, headers={"Authorization": f"Bearer {editor_token}"}
    )
    assert denied.status == 403
    ok = await client.post(
        url, json={"reason": "数据有误"}, headers={"Authorization": f"Bearer {reviewer_token}"}
    )
    assert ok.status == 200, await ok.text()
    assert "已撤回" in (message := (await ok.json())["message"])
    assert f"发送「更正 {row['id']}」" in message  # where a reviewer drafts it: chat
    assert sandbox.weibo.state("ccmz_weibo").statuses[0].deleted
    again = await client.post(
        url, json={"reason": "数据有误"}, headers={"Authorization": f"Bearer {reviewer_token}"}
    )
    assert again.status == 409
