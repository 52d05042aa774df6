"""Guessing API bearer tokens: wrong tokens count against the address like failed console
sign-ins (one counter, ``[console] failures_per_address``); once limited the API answers 429
JSON with Retry-After, each failure is one warning line without the token, and the audit log
gets one row when the limit is reached — not one per request of a flood."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient
from app_support import bearer
from console_support import issue, login_token, origin
from sqlalchemy import func, select, update

from review.db import SessionFactory
from review.models import AuditEvent, SignInAttempt, utcnow

WRONG = {"Authorization": "Bearer nmb_wrong-guess-0000000000000000000000000000"}


async def get_drafts(client: TestClient, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    r = await client.get("/api/drafts", headers=headers)
    body = await r.json()
    found = body if isinstance(body, dict) else {}
    return r.status, {**found, **{f"h:{k}": v for k, v in r.headers.items()}}


async def audit_rows(sf: SessionFactory) -> list[AuditEvent]:
    async with sf() as s:
        rows = await s.scalars(select(AuditEvent).where(AuditEvent.action == "api.sign_in"))
        return list(rows.all())


async def test_ten_wrong_tokens_then_429_even_for_the_right_one(
    app_client: TestClient, sf: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="newmedia.api")
    for _ in range(10):
        status, body = await get_drafts(app_client, WRONG)
        assert status == 401 and body["error"] == "unauthorized"
    right = await bearer(sf, "zhao_min")
    for _ in range(3):  # a flood while limited: 429, nothing counted, no more audit rows
        status, body = await get_drafts(app_client, right)
        assert status == 429 and body["error"] == "too_many_failures", body
        assert "分钟后再试" in body["message"]
        assert 1 <= int(body["h:Retry-After"]) <= 15 * 60

    refused = [r for r in caplog.records if "api token refused" in r.getMessage()]
    assert len(refused) == 13
    assert not any(WRONG["Authorization"][7:] in r.getMessage() for r in caplog.records)
    rows = await audit_rows(sf)
    assert [(r.detail["result"], r.detail["address"]) for r in rows] == [("limited", "127.0.0.1")]
    async with sf() as s:
        assert await s.scalar(select(func.count()).select_from(SignInAttempt)) == 10

    # the window moves on: the right token works again
    async with sf.begin() as s:
        await s.execute(update(SignInAttempt).values(at=utcnow() - timedelta(minutes=16)))
    status, _ = await get_drafts(app_client, right)
    assert status == 200


async def test_the_console_and_the_api_share_the_address_counter(
    app_client: TestClient, sf: SessionFactory
) -> None:
    """Five wrong console tokens and five wrong API tokens: the address is limited on both."""
    for _ in range(5):
        form = {"token": "nmb_wrong", "csrf": await login_token(app_client)}
        r = await app_client.post("/console/login", data=form, headers=origin(app_client))
        assert r.status == 403
    for _ in range(5):
        assert (await get_drafts(app_client, WRONG))[0] == 401
    assert (await get_drafts(app_client, WRONG))[0] == 429
    form = {"token": await issue(sf, "zhao_min"), "csrf": await login_token(app_client)}
    r = await app_client.post(
        "/console/login", data=form, headers=origin(app_client), allow_redirects=False
    )
    assert r.status == 429
    async with sf() as s:  # limited requests add no failures: the lock-out is not extended
        assert await s.scalar(select(func.count()).select_from(SignInAttempt)) == 10


async def test_a_missing_token_is_not_counted(app_client: TestClient, sf: SessionFactory) -> None:
    for _ in range(12):
        assert (await get_drafts(app_client, {}))[0] == 401
    assert (await get_drafts(app_client, await bearer(sf, "zhao_min")))[0] == 200
