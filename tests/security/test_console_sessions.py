"""Console sessions live in the database: sign-out, a reissued or revoked token and the idle /
absolute timeouts end them, and a copied cookie opens nothing afterwards."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from app_support import bearer, run_cli
from console_support import sign_in
from sqlalchemy import select, update

from bot.config.load import Settings
from bot.web.sessions import COOKIE
from review.db import SessionFactory
from review.models import AuditEvent, ConsoleSession, utcnow

ROOT = Path(__file__).resolve().parents[2]


def cookie(client: TestClient) -> str:
    found = [c.value for c in client.session.cookie_jar if c.key == COOKIE]
    assert found, "signed in: the browser holds the console cookie"
    return found[0]


async def opens_console(client: TestClient, value: str) -> bool:
    """Does this cookie value, replayed by any browser, open the console?"""
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({COOKIE: value})
    r = await client.get("/console/", allow_redirects=False)
    return r.status == 200


@pytest.fixture
def cli_db(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CLI pointed at the test's database (the app's)."""
    monkeypatch.setenv("NEWMEDIA_DATABASE_URL", settings.database_url)
    return ["--settings", str(ROOT / "settings.toml")]


async def test_sign_out_ends_the_session_for_a_copied_cookie(
    app_client: TestClient, sf: SessionFactory
) -> None:
    csrf = await sign_in(app_client, sf, "zhao_min")
    stolen = cookie(app_client)
    r = await app_client.post("/console/logout", data={"csrf": csrf}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/console/login"
    assert not await opens_console(app_client, stolen)
    async with sf() as s:
        row = await s.scalar(select(ConsoleSession))
        assert row is not None and row.revoked_at is not None
        actions = (await s.scalars(select(AuditEvent.action))).all()
    assert "console.sign_out" in actions


async def test_cookie_holds_only_a_random_id_stored_hashed(
    app_client: TestClient, sf: SessionFactory
) -> None:
    await sign_in(app_client, sf, "zhao_min")
    value = cookie(app_client)
    async with sf() as s:
        rows = (await s.scalars(select(ConsoleSession))).all()
    assert [r.id_hash for r in rows] == [hashlib.sha256(value.encode()).hexdigest()]
    assert "zhao_min" not in value and len(value) >= 40


async def test_token_issue_and_revoke_end_console_sessions(
    app_client: TestClient,
    sf: SessionFactory,
    cli_db: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    await sign_in(app_client, sf, "zhao_min")
    first = cookie(app_client)
    assert await opens_console(app_client, first)

    code, out, _ = await asyncio.to_thread(run_cli, capsys, *cli_db, "token", "issue", "zhao_min")
    assert code == 0 and "已结束其 1 个控制台会话" in out
    assert not await opens_console(app_client, first), "a reissued token ends the session"

    await sign_in(app_client, sf, "zhao_min")
    second = cookie(app_client)
    api = await bearer(sf, "zhao_min")
    code, out, _ = await asyncio.to_thread(run_cli, capsys, *cli_db, "token", "revoke", "zhao_min")
    assert code == 0 and "API 令牌已作废" in out and "已结束 1 个控制台会话" in out
    assert not await opens_console(app_client, second)
    r = await app_client.get("/api/drafts", headers=api)
    assert r.status == 401, "the revoked token no longer opens the API"


async def test_idle_and_absolute_timeouts(app_client: TestClient, sf: SessionFactory) -> None:
    await sign_in(app_client, sf, "zhao_min")
    value = cookie(app_client)
    assert await opens_console(app_client, value)
    # 29 minutes idle: still open (and seen again now)
    async with sf.begin() as s:
        await s.execute(
            update(ConsoleSession).values(last_seen_at=utcnow() - timedelta(minutes=29))
        )
    assert await opens_console(app_client, value)
    async with sf.begin() as s:
        await s.execute(
            update(ConsoleSession).values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
    assert not await opens_console(app_client, value), "30 idle minutes end the session"

    await sign_in(app_client, sf, "zhao_min")
    value = cookie(app_client)
    async with sf.begin() as s:  # busy all day: seen a minute ago, signed in 8 h 1 min ago
        await s.execute(
            update(ConsoleSession)
            .where(ConsoleSession.revoked_at.is_(None))
            .values(created_at=utcnow() - timedelta(hours=8, minutes=1))
        )
    assert not await opens_console(app_client, value), "8 hours after sign-in it ends anyway"


async def test_token_list_counts_sessions_and_never_shows_a_token(
    app_client: TestClient,
    sf: SessionFactory,
    cli_db: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    await sign_in(app_client, sf, "zhao_min")
    app_client.session.cookie_jar.clear()
    await sign_in(app_client, sf, "li_na")
    code, _, _ = await asyncio.to_thread(run_cli, capsys, *cli_db, "token", "issue", "sun_li")
    assert code == 0
    code, out, _ = await asyncio.to_thread(run_cli, capsys, *cli_db, "token", "list", "--json")
    assert code == 0 and "nmb_" not in out
    rows = {r["key"]: r for r in json.loads(out)}
    assert rows["li_na"]["has_token"] and rows["li_na"]["console_sessions"] == 1
    assert rows["zhao_min"]["console_sessions"] == 1
    assert rows["li_na"]["issued_at"] is None, "issued outside the CLI: the audit log knows not"
    assert rows["sun_li"]["has_token"] and rows["sun_li"]["issued_at"]
    assert rows["sun_li"]["console_sessions"] == 0
    assert not rows["wang_qiang"]["has_token"] and rows["wang_qiang"]["issued_at"] is None
    code, out, _ = await asyncio.to_thread(run_cli, capsys, *cli_db, "token", "list")
    assert code == 0 and "控制台会话" in out and "nmb_" not in out
