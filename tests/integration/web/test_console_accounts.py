"""The console's accounts page: owner department, last post, days against the 14-day rule,
the token's state (never the token) and the week's platform errors."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from console_support import sign_in
from publishing_support import seed
from sqlalchemy import update

from bot.publishing.wiring import TOKENS
from review.db import SessionFactory
from review.models import AuditEvent, Publication, utcnow
from review.store import audit

SECRET = "TOKEN-must-never-show-9f3a"


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    return app_client


async def change(sf: SessionFactory, pub_id: int, **values: Any) -> None:
    async with sf.begin() as s:
        await s.execute(update(Publication).where(Publication.id == pub_id).values(**values))


def card(page: str, name: str) -> str:
    """The text of one account's card."""
    found = re.search(
        rf'<section class="card acc" aria-label="{re.escape(name)}">(.*?)</section>', page, re.S
    )
    assert found, name
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


@pytest.mark.pg  # the filters are SQL: both databases
async def test_each_account_with_its_rule_token_and_errors(
    client: TestClient, sf: SessionFactory
) -> None:
    now = utcnow()
    office = (await seed(sf, 1, accounts=("ccmz_wechat",), title="冬季救助")).publication_ids[0]
    await change(sf, office, status="published", published_at=now - timedelta(days=3, hours=1))
    elderly = (await seed(sf, 1, accounts=("ccyl_wechat",), title="助餐服务")).publication_ids[0]
    await change(sf, elderly, status="published", published_at=now - timedelta(days=20))
    failed = (await seed(sf, 1, accounts=("ccmz_wechat",), title="失败稿")).publication_ids[0]
    await change(sf, failed, status="failed", last_error="平台拒绝：内容重复")
    retrying = (
        await seed(sf, 1, accounts=("ccmz_wechat",), due_at=now + timedelta(days=2))
    ).publication_ids[0]
    await change(sf, retrying, attempts=2, last_error="暂时失败（第 2 次）：平台超时")
    async with sf.begin() as s:
        await audit.append(
            s,
            actor="system",
            action="publication.failed",
            subject_type="publication",
            subject_id=failed,
            detail={"account": "ccmz_wechat", "error": "平台拒绝：内容重复"},
        )
        old = await audit.append(
            s,
            actor="system",
            action="publication.needs_check",
            subject_type="publication",
            subject_id=failed,
            detail={"account": "ccmz_wechat", "error": "上周的旧错误"},
        )
        await s.execute(
            update(AuditEvent).where(AuditEvent.id == old.id).values(at=now - timedelta(days=9))
        )
    tokens = client.app[TOKENS]
    await tokens.put("ccmz_wechat", SECRET, now + timedelta(hours=2))
    await sign_in(client, sf, "li_na")

    page = await (await client.get("/console/accounts")).text()
    assert SECRET not in page
    wechat = card(page, "长春民政（微信公众号）")
    assert "主管部门 办公室" in wechat
    assert "冬季救助1" in wechat and "3 天未更新，还剩 11 天" in wechat
    assert "访问令牌 正常" in wechat
    assert "本周平台错误 2 次" in wechat
    assert "平台拒绝：内容重复" in wechat and "仍在重试：暂时失败（第 2 次）：平台超时" in wechat
    assert "上周的旧错误" not in wechat

    elderly_card = card(page, "长春养老服务（微信公众号）")
    assert "主管部门 养老服务处" in elderly_card
    assert "已 20 天未更新，超过 14 天" in elderly_card
    assert 'class="badge over"' in page
    assert "访问令牌 失效" in elderly_card  # no token stored (or none the service can open)
    assert "本周平台错误 无" in elderly_card

    weibo = card(page, "长春民政（微博）")
    assert "从未发布" in weibo and "访问令牌 正常" in weibo and "长期有效" in weibo

    # a token inside the refresh margin is about to run out; an expired one is gone
    await tokens.put("ccyl_wechat", SECRET, utcnow() + timedelta(minutes=4))
    await tokens.put("ccmz_wechat", SECRET, utcnow() - timedelta(minutes=1))
    page = await (await client.get("/console/accounts")).text()
    assert SECRET not in page
    assert "访问令牌 即将过期" in card(page, "长春养老服务（微信公众号）")
    assert "访问令牌 失效" in card(page, "长春民政（微信公众号）")


async def test_the_last_post_title_follows_the_readers_scope(
    client: TestClient, sf: SessionFactory
) -> None:
    office = (await seed(sf, 1, accounts=("ccmz_wechat",), title="办公室稿")).publication_ids[0]
    await change(sf, office, status="published", published_at=utcnow() - timedelta(days=1))
    failed = (await seed(sf, 1, accounts=("ccmz_wechat",), title="失败稿")).publication_ids[0]
    await change(sf, failed, status="failed", last_error="平台拒绝：内容重复")
    async with sf.begin() as s:
        await audit.append(
            s,
            actor="system",
            action="publication.failed",
            subject_type="publication",
            subject_id=failed,
            detail={"account": "ccmz_wechat", "error": "平台拒绝：内容重复"},
        )
    await sign_in(client, sf, "wu_fang")  # 养老服务处: the 办公室's draft is not theirs to read
    page = await (await client.get("/console/accounts")).text()
    wechat = card(page, "长春民政（微信公众号）")
    assert "办公室稿" not in wechat and "1 天未更新" in wechat  # the time counts, the title hides
    # nor the platform's error text of a post they may not read
    assert "平台拒绝" not in wechat and "本周平台错误 无" in wechat
