"""A demo post's link leads to the post on the sandbox's own timeline — never to weibo.cn, where
a sandbox status id names somebody else's post or nothing."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from publishing_support import seed
from sqlalchemy import select

from bot import keys
from bot.app import create_app
from bot.config.load import Settings
from bot.sandbox.wiring import RUNTIME
from review.db import SessionFactory
from review.models import Publication


async def test_a_sandbox_weibo_status_links_to_its_card_on_the_timeline(
    settings: Settings, sf: SessionFactory
) -> None:
    await seed(sf, 1, accounts=("ccmz_weibo",), title="冬季救助")
    app = create_app(settings, run_jobs=False)
    async with TestClient(TestServer(app)) as client:
        app[RUNTIME].self_url = str(client.make_url("/")).rstrip("/")
        assert await app[keys.PUBLISHER].publish_due() == 1
        async with sf() as s:
            row = (await s.scalars(select(Publication))).one()
        assert row.status == "published" and row.remote_id
        public = settings.file.service.public_url.rstrip("/")
        assert row.url == f"{public}/sandbox/timeline#wb-{row.remote_id}"
        page: Any = await (await client.get("/sandbox/timeline")).text()
        assert f'id="wb-{row.remote_id}"' in page
