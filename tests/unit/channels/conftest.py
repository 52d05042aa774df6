"""The shipped sandbox on loopback, and clients pointed at it (fakes, not mocks)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sandbox_env import PNG, Env, MakeEnv

from channels.sandbox.app import create_sandbox_app
from channels.sandbox.config import SandboxConfig
from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI
from channels.wechat.channel import WeChatChannel
from channels.weibo.api import WeiboAPI
from channels.weibo.channel import WeiboChannel
from review.media import MediaPolicy
from review.media_files import publish_loader
from review.media_renditions import ARTICLE_IMAGE, THUMB


@pytest.fixture
def make_env(aiohttp_server: Any) -> MakeEnv:
    async def make(**overrides: Any) -> Env:
        app, sandbox = create_sandbox_app(replace(SandboxConfig(), **overrides))
        server = await aiohttp_server(app)
        return Env(sandbox, str(server.make_url("")).rstrip("/"))

    return make


@pytest.fixture
async def env(make_env: MakeEnv) -> Env:
    return await make_env()


@pytest.fixture
def media(tmp_path: Path) -> Path:
    (tmp_path / "cover.png").write_bytes(PNG)
    (tmp_path / "chart.png").write_bytes(PNG)
    return tmp_path


@pytest.fixture
async def wechat_api(env: Env) -> Any:
    account = env.sandbox.config.wechat[0]
    api = WeChatAPI(
        account.account_key,
        account.appid,
        account.secret,
        tokens=MemoryTokenStore(),
        base_url=env.url("wechat"),
        timeout=2.0,
    )
    yield api
    await api.close()


@pytest.fixture
def wechat(wechat_api: WeChatAPI, media: Path) -> WeChatChannel:
    policy = MediaPolicy(media, 10 * 2**20)
    return WeChatChannel(
        wechat_api,
        load_image=publish_loader(policy, profile=ARTICLE_IMAGE),
        load_cover=publish_loader(policy, profile=THUMB),
    )


@pytest.fixture
async def weibo_api(env: Env) -> Any:
    account = env.sandbox.config.weibo[0]
    api = WeiboAPI(
        account.account_key,
        account.access_token,
        rip="127.0.0.1",
        base_url=env.url("weibo"),
        timeout=2.0,
    )
    yield api
    await api.close()


@pytest.fixture
def weibo(env: Env, weibo_api: WeiboAPI) -> WeiboChannel:
    return WeiboChannel(weibo_api, safe_domain=env.sandbox.config.weibo[0].safe_domain)
