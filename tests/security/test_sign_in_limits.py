"""Console sign-in: limited per client address and per person a token names (429 with
Retry-After, shared through the database), every attempt audited without its token, and no
sign-in from another site's page (Origin + a CSRF token bound to a pre-session cookie)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from console_support import issue, login_token, origin
from sqlalchemy import select, update

from bot.app import create_app
from bot.config.load import Settings
from review.db import SessionFactory
from review.models import AuditEvent, Person, SignInAttempt, utcnow
from review.store import audit

WRONG = "nmb_wrong-guess-0000000000000000000000000000"


async def attempt(
    client: TestClient, token: str, **headers: str
) -> tuple[int, str, dict[str, str]]:
    form = {"token": token, "csrf": await login_token(client)}
    r = await client.post(
        "/console/login", data=form, headers={**origin(client), **headers}, allow_redirects=False
    )
    return r.status, await r.text(), dict(r.headers)


@pytest.fixture
async def behind_proxy(settings: Settings, sf: SessionFactory) -> AsyncIterator[TestClient]:
    """The service with ``[service] trusted_proxies = ["127.0.0.1"]`` (the test client's peer)."""
    service = settings.file.service.model_copy(update={"trusted_proxies": ("127.0.0.1",)})
    trusted = replace(settings, file=settings.file.model_copy(update={"service": service}))
    async with TestClient(TestServer(create_app(trusted, run_jobs=False))) as client:
        yield client


@pytest.mark.pg
async def test_ten_failures_from_an_address_then_429_even_for_the_right_token(
    app_client: TestClient, sf: SessionFactory
) -> None:
    for _ in range(10):
        status, text, _ = await attempt(app_client, WRONG)
        assert status == 403 and "令牌无效" in text
    right = await issue(sf, "zhao_min")
    status, text, headers = await attempt(app_client, right)
    assert status == 429 and "登录失败次数过多" in text
    assert 1 <= int(headers["Retry-After"]) <= 15 * 60

    async with sf() as s:
        events = (
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "console.sign_in"))
        ).all()
        checked, problem = await audit.verify(s)
    assert [e.detail["result"] for e in events] == ["bad_token"] * 10 + ["limited"]
    assert all(e.detail["address"] == "127.0.0.1" for e in events)
    assert problem is None and checked >= 11
    assert not any(WRONG in str(e.detail) or right in str(e.detail) for e in events)

    # the window moves on: failures older than 15 minutes no longer count
    async with sf.begin() as s:
        await s.execute(update(SignInAttempt).values(at=utcnow() - timedelta(minutes=16)))
    status, _, headers = await attempt(app_client, right)
    assert status == 303 and headers["Location"] == "/console/"
    async with sf() as s:
        last = await s.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert last is not None and last.actor == "zhao_min" and last.detail["result"] == "ok"


async def test_retry_after_counts_from_the_oldest_failure_that_still_counts(
    app_client: TestClient, sf: SessionFactory
) -> None:
    for _ in range(10):
        await attempt(app_client, WRONG)
    async with sf.begin() as s:  # the first failure was 14 minutes ago: a minute left
        first = await s.scalar(select(SignInAttempt.id).order_by(SignInAttempt.id).limit(1))
        await s.execute(
            update(SignInAttempt)
            .where(SignInAttempt.id == first)
            .values(at=utcnow() - timedelta(minutes=14))
        )
    status, text, headers = await attempt(app_client, WRONG)
    assert status == 429 and "1 分钟后再试" in text
    assert 1 <= int(headers["Retry-After"]) <= 60


async def test_an_inactive_persons_token_is_limited_per_person(
    app_client: TestClient, sf: SessionFactory
) -> None:
    token = await issue(sf, "li_na")
    async with sf.begin() as s:
        await s.execute(update(Person).where(Person.key == "li_na").values(active=False))
    for _ in range(5):
        status, _, _ = await attempt(app_client, token)
        assert status == 403
    # a sixth try is refused for li_na, though the address has failed only five times
    status, _, headers = await attempt(app_client, token)
    assert status == 429 and "Retry-After" in headers
    status, _, _ = await attempt(app_client, WRONG)
    assert status == 403, "the address itself is not yet limited"
    async with sf() as s:
        results = (
            await s.scalars(
                select(AuditEvent.detail).where(
                    AuditEvent.action == "console.sign_in", AuditEvent.actor == "li_na"
                )
            )
        ).all()
    assert [r["result"] for r in results] == ["inactive"] * 5 + ["limited"]


async def test_forwarded_for_counts_only_from_a_trusted_proxy(
    app_client: TestClient, behind_proxy: TestClient
) -> None:
    # not trusted: a client cannot escape its limit by naming another address
    for i in range(10):
        await attempt(app_client, WRONG, **{"X-Forwarded-For": f"203.0.113.{i}"})
    status, _, _ = await attempt(app_client, WRONG, **{"X-Forwarded-For": "203.0.113.99"})
    assert status == 429
    # trusted (127.0.0.1 is the proxy): each client behind it has its own count
    status, _, _ = await attempt(behind_proxy, WRONG, **{"X-Forwarded-For": "198.51.100.7"})
    assert status == 403, "198.51.100.7 has not failed yet"
    status, _, _ = await attempt(behind_proxy, WRONG, **{"X-Forwarded-For": "127.0.0.1"})
    assert status == 429, "the proxy's own address has failed ten times"


async def test_a_cross_site_post_signs_nobody_in(
    app_client: TestClient, sf: SessionFactory
) -> None:
    token = await issue(sf, "zhao_min")
    csrf = await login_token(app_client)
    form = {"token": token, "csrf": csrf}
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
        {},  # neither Origin nor Referer
    ):
        r = await app_client.post(
            "/console/login", data=form, headers=headers, allow_redirects=False
        )
        assert r.status == 403 and "已拒绝" in await r.text(), headers
    # the service's own page by Referer alone is accepted
    own = origin(app_client)["Origin"]
    r = await app_client.post(
        "/console/login", data=form, headers={"Referer": f"{own}/console/login"},
        allow_redirects=False,
    )  # fmt: skip
    assert r.status == 303


async def test_the_login_form_token_is_bound_to_the_pre_session_cookie(
    app_client: TestClient, sf: SessionFactory
) -> None:
    token = await issue(sf, "zhao_min")
    csrf = await login_token(app_client)
    # an attacker's page posts with its own form token, or none: the browser's cookie differs
    for sent in ("", "0" * 64):
        r = await app_client.post(
            "/console/login",
            data={"token": token, "csrf": sent},
            headers=origin(app_client),
            allow_redirects=False,
        )
        assert r.status == 403 and "登录页已过期" in await r.text()
    # a token from this browser's login page, but another browser (no pre-session cookie)
    app_client.session.cookie_jar.clear()
    r = await app_client.post(
        "/console/login",
        data={"token": token, "csrf": csrf},
        headers=origin(app_client),
        allow_redirects=False,
    )
    assert r.status == 403
    async with sf() as s:
        results = (
            await s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "console.sign_in"))
        ).all()
    assert [r["result"] for r in results] == ["csrf"] * 3
