"""Shared helpers for the inbox tests: the app under test and a follower that talks to it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keys
from bot.config.load import Settings
from channels.sandbox.app import Sandbox
from channels.sandbox.follower import Follower, Mode
from review import queue
from review.db import SessionFactory
from review.models import CitizenMessage, ReviewTask, utcnow
from review.store import directory

ACCOUNT = "ccmz_wechat"


def follower(
    client: TestClient,
    settings: Settings,
    *,
    mode: Mode = "aes",
    openid: str = "o_citizen_1",
    **kw: Any,
) -> Follower:
    secrets = settings.secrets[ACCOUNT]
    return Follower(
        str(client.make_url("")), ACCOUNT, secrets.token, secrets.aes_key,
        settings.accounts[ACCOUNT].app_id, mode, openid, session=client.session, **kw,
    )  # fmt: skip


async def count_messages(sf: SessionFactory) -> int:
    async with sf() as s:
        return int(await s.scalar(select(func.count()).select_from(CitizenMessage)) or 0)


async def wait_for(predicate: Any, limit_s: float = 10.0) -> None:
    """Poll an async predicate (the slow path runs after the reply)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + limit_s
    while not await predicate():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def assigned_message(
    sf: SessionFactory, *, dedup_key: str, sender: str, text: str, topic: str = "民政综合"
) -> int:
    """A WeChat message to 长春民政, assigned to 办公室, due in three days; its id."""
    from datetime import timedelta

    from review.models import CitizenMessage, utcnow
    from review.store import directory

    async with sf.begin() as s:
        office = await directory.department_by_key(s, "office")
        account = await directory.account_by_key(s, "ccmz_wechat")
        assert office and account
        msg = CitizenMessage(
            account_id=account.id, platform="wechat", dedup_key=dedup_key, sender=sender,
            msg_type="text", text=text, status="assigned", topic=topic,
            department_id=office.id, deadline_at=utcnow() + timedelta(days=3),
        )  # fmt: skip
        s.add(msg)
    return msg.id


@contextlib.asynccontextmanager
async def demo_client(settings: Settings) -> AsyncIterator[TestClient[Any, Any]]:
    """The real app with its demo sandbox mounted in process (the publisher's WeChat included)."""
    from bot.app import create_app
    from bot.sandbox.wiring import RUNTIME

    app = create_app(settings, run_jobs=False)
    async with TestClient(TestServer(app)) as c:
        app[RUNTIME].self_url = str(c.make_url("/")).rstrip("/")
        yield c


async def add_shut_window_message(
    s: AsyncSession, dedup_key: str, text: str, *, department: str = "elderly"
) -> CitizenMessage:
    """A routed WeChat message whose citizen wrote three days ago: the 48-hour window has shut."""
    dept = await directory.department_by_key(s, department)
    account = await directory.account_by_key(s, ACCOUNT)
    assert dept is not None and account is not None
    long_ago = utcnow() - timedelta(days=3)
    msg = CitizenMessage(
        account_id=account.id, platform="wechat", dedup_key=dedup_key, sender=f"o_{dedup_key}",
        msg_type="text", text=text, status="assigned", topic="养老服务", department_id=dept.id,
        received_at=long_ago, reply_window_closes_at=long_ago + timedelta(hours=48),
        processed=True,
    )  # fmt: skip
    s.add(msg)
    await s.flush()
    return msg


async def approve_chain(sf: SessionFactory, draft_id: int) -> list[str]:
    """Claim and approve each open stage as its reviewer: 初审 李娜, 终审 王强, 保密审查 陈静."""
    reviewers = {"初审": "li_na", "终审": "wang_qiang", "保密审查": "chen_jing"}
    stages: list[str] = []
    for _ in range(len(reviewers)):
        async with sf.begin() as s:
            q = select(ReviewTask).where(
                ReviewTask.draft_id == draft_id, ReviewTask.status == "open"
            )
            task = (await s.scalars(q)).one()
            person = await directory.person_by_key(s, reviewers[task.stage_name])
            assert person is not None
            await queue.claim(s, task.id, person)
            await queue.approve(s, task.id, person, "同意")
            stages.append(task.stage_name)
    return stages


def sandbox_of(client: TestClient[Any, Any]) -> Sandbox:
    """The in-process sandbox the demo client mounts."""
    sandbox = client.app[keys.SANDBOX]
    assert isinstance(sandbox, Sandbox)
    return sandbox
