"""A secondary worker's ``/sandbox/``: forwarded to the primary's sandbox, one shared state."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot import migrate
from bot.app import create_app
from bot.config.load import Settings
from bot.platforms.registry import sandbox_config
from bot.sandbox.wiring import sandbox_api_app
from bot.workers import Worker
from channels.sandbox.app import create_sandbox


async def test_pages_and_fake_apis_come_from_the_primarys_sandbox(settings: Settings) -> None:
    await migrate.upgrade(settings.database_url)  # the primary's work; a secondary only checks
    sandbox = create_sandbox(sandbox_config(settings))
    account = settings.accounts["ccmz_wechat"]
    secret = settings.secrets["ccmz_wechat"].app_secret
    async with TestServer(sandbox_api_app(sandbox)) as primary:
        base = str(primary.make_url("")).rstrip("/")
        app = create_app(settings, worker=Worker("secondary", 0, base))
        async with TestClient(TestServer(app)) as secondary:
            page = await secondary.get("/sandbox/")
            assert page.status == 200
            assert "沙箱平台" in await page.text()
            # a token issued through the secondary is the primary's sandbox's own token
            r = await secondary.post(
                "/sandbox/wechat/cgi-bin/stable_token",
                json={"grant_type": "client_credential", "appid": account.app_id, "secret": secret},
            )
            token = (await r.json())["access_token"]
            assert r.status == 200
            assert sandbox.wechat.tokens.owner_of(token) == account.app_id
            wrong = await secondary.post(
                "/sandbox/wechat/cgi-bin/stable_token",
                json={"grant_type": "client_credential", "appid": account.app_id, "secret": "x"},
            )
            assert (await wrong.json())["errcode"] == 40125
            health = await (await secondary.get("/healthz")).json()
            assert health["worker"]["role"] == "secondary"
            assert health["scheduler"]["running"] is False  # no ticks on a secondary


async def test_sandbox_away_gives_a_clear_502(settings: Settings) -> None:
    await migrate.upgrade(settings.database_url)
    async with TestServer(sandbox_api_app(create_sandbox(sandbox_config(settings)))) as gone:
        base = str(gone.make_url("")).rstrip("/")
    app = create_app(settings, worker=Worker("secondary", 0, base))
    async with TestClient(TestServer(app)) as secondary:
        r = await secondary.get("/sandbox/")
        assert r.status == 502
        assert "沙箱平台运行在主进程中" in await r.text()
