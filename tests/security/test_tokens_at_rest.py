"""Platform access tokens are stored encrypted: the ``access_tokens`` column never holds the
token a platform issued, the publisher still works on the sandbox, a key can be rotated, and a
row no key opens reads as no token (logged once, without the value)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.fernet import Fernet
from publishing_support import seed
from sqlalchemy import text

from bot import keys
from bot.app import create_app
from bot.config.load import Settings, SettingsError, load_settings
from bot.platforms.registry import token_store
from bot.publishing.wiring import TOKENS
from bot.sandbox.wiring import RUNTIME
from channels.sandbox.app import Sandbox
from review.db import SessionFactory
from review.models import AccessToken, utcnow
from review.store.tokens import DbTokenStore
from review.token_cipher import DEMO_TOKEN_KEY, TokenCipher

ROOT = Path(__file__).resolve().parents[2]
#: WeChat's documented room for an access_token ("至少要保留512个字符空间")
LONG_TOKEN = "T" * 512


async def raw_column(sf: SessionFactory, account: str) -> str:
    async with sf() as s:
        found = await s.scalar(
            text("SELECT token FROM access_tokens WHERE account_key = :k"), {"k": account}
        )
    assert isinstance(found, str)
    return found


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[TestClient[Any, Any]]:
    app = create_app(settings, run_jobs=False)
    async with TestClient(TestServer(app)) as c:
        app[RUNTIME].self_url = str(c.make_url("/")).rstrip("/")
        yield c


async def test_the_publisher_stores_only_ciphertext(client: TestClient[Any, Any]) -> None:
    app = client.app
    await seed(app[keys.SESSIONS], 1, accounts=("ccmz_wechat",))
    assert await app[keys.PUBLISHER].publish_due() == 1  # end to end on the sandbox
    sandbox = app[keys.SANDBOX]
    assert isinstance(sandbox, Sandbox)
    assert sandbox.recorder.count("cgi-bin/freepublish/submit") == 1
    held = await app[TOKENS].get("ccmz_wechat")
    assert held is not None
    token = held[0]
    assert sandbox.wechat.tokens.owner_of(token)  # the token the platform issued
    stored = await raw_column(app[keys.SESSIONS], "ccmz_wechat")
    assert token not in stored
    assert TokenCipher([DEMO_TOKEN_KEY]).decrypt(stored) == token
    # another process (a fresh store, no cache) reads the same token back: no new issue
    issued = sandbox.wechat.tokens.issued
    fresh = token_store(app[keys.SETTINGS], app[keys.SESSIONS])
    assert await fresh.get("ccmz_wechat") == held
    assert sandbox.wechat.tokens.issued == issued


@pytest.mark.pg
async def test_rotation_and_a_row_no_key_opens(
    sf: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    expires = utcnow() + timedelta(hours=2)
    await DbTokenStore(sf, TokenCipher([old])).put("ccmz_wechat", LONG_TOKEN, expires)
    stored = await raw_column(sf, "ccmz_wechat")
    assert LONG_TOKEN not in stored
    assert len(stored) <= AccessToken.__table__.c.token.type.length  # fits String(1024)
    # rotation: the new key first, the old one still opens what it wrote
    rotated = DbTokenStore(sf, TokenCipher([new, old]), cache_seconds=0)
    assert (await rotated.get("ccmz_wechat") or ("",))[0] == LONG_TOKEN
    # the old key dropped: no token (the client refreshes), logged once, never the value
    caplog.set_level(logging.WARNING, logger="newmedia.tokens")
    dropped = DbTokenStore(sf, TokenCipher([new]), cache_seconds=0)
    assert await dropped.get("ccmz_wechat") is None
    assert await dropped.get("ccmz_wechat") is None
    warned = [r for r in caplog.records if r.name == "newmedia.tokens"]
    assert len(warned) == 1 and "ccmz_wechat" in warned[0].getMessage()
    assert stored not in caplog.text and LONG_TOKEN not in caplog.text
    # the refreshed token is written under the new key
    await dropped.put("ccmz_wechat", "fresh-token", expires)
    assert await DbTokenStore(sf, TokenCipher([new])).get("ccmz_wechat") == (
        "fresh-token",
        expires,
    )


async def test_a_plain_row_from_before_encryption_reads_as_no_token(sf: SessionFactory) -> None:
    async with sf.begin() as s:
        await s.execute(
            text(
                "INSERT INTO access_tokens (account_key, token, expires_at, updated_at)"
                " VALUES ('ccmz_wechat', 'plain-token', :e, :e)"
            ),
            {"e": utcnow() + timedelta(hours=1)},
        )
    assert await DbTokenStore(sf, TokenCipher([DEMO_TOKEN_KEY])).get("ccmz_wechat") is None


def test_production_needs_a_valid_token_key(tmp_path: Path) -> None:
    text_ = (ROOT / "settings.toml").read_text(encoding="utf-8")
    text_ = text_.replace("[sandbox]\nenabled = true", "[sandbox]\nenabled = false")
    path = tmp_path / "settings.toml"
    path.write_text(text_.replace("sandbox = true", "sandbox = false"), encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(path, env={}, for_service=True)
    (missing,) = [p for p in err.value.problems if "NEWMEDIA_TOKEN_KEY" in p]
    assert "Fernet.generate_key()" in missing
    bad = "not-a-fernet-key-but-secret"
    with pytest.raises(SettingsError) as err:
        load_settings(path, env={"NEWMEDIA_TOKEN_KEY": f"{Fernet.generate_key().decode()},{bad}"})
    (invalid,) = err.value.problems
    assert "第 2 个密钥不是有效的 Fernet 密钥" in invalid and bad not in str(err.value)


def test_demo_mode_uses_the_demo_key_unless_one_is_set(settings: Settings) -> None:
    assert settings.token_keys == (DEMO_TOKEN_KEY,)
    keys_ = f"{Fernet.generate_key().decode()}, {DEMO_TOKEN_KEY}"
    s = load_settings(ROOT / "settings.toml", env={"NEWMEDIA_TOKEN_KEY": keys_})
    assert s.token_keys == tuple(k.strip() for k in keys_.split(","))
