"""Helpers for the ``newmedia doctor`` tests: the shipped settings turned into a production
installation, the secrets it needs, and an aiohttp application served on loopback from a thread
(the CLI runs its own event loop in the test's thread)."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

#: every secret the shipped settings' accounts and app need, outside demo mode; each value is
#: distinctive so a test can assert none of them is ever printed
PRODUCTION_ENV = {
    "NEWMEDIA_CCMZ_WECHAT_APP_SECRET": "prod-value-ccmz-wechat-appsecret-7f3a",
    "NEWMEDIA_CCMZ_WECHAT_TOKEN": "prodvalueccmzwechattoken7f3a",
    "NEWMEDIA_CCMZ_WECHAT_AES_KEY": "prodvalueccmzwechataeskey7f3a0123456789abcd",
    "NEWMEDIA_CCMZ_WEIBO_APP_SECRET": "prod-value-ccmz-weibo-appsecret-7f3a",
    "NEWMEDIA_CCMZ_WEIBO_TOKEN": "2.00prodvalueccmzweibotoken7f3a",
    "NEWMEDIA_CCYL_WECHAT_APP_SECRET": "prod-value-ccyl-wechat-appsecret-7f3a",
    "NEWMEDIA_CCYL_WECHAT_TOKEN": "prodvalueccylwechattoken7f3a",
    "NEWMEDIA_CCYL_WECHAT_AES_KEY": "prodvalueccylwechataeskey7f3a0123456789abcd",
    "NEWMEDIA_REVIEW_APP_APP_SECRET": "prod-value-review-app-appsecret-7f3a",
    "NEWMEDIA_REVIEW_APP_TOKEN": "prodvaluereviewapptoken7f3a",
    "NEWMEDIA_REVIEW_APP_AES_KEY": "prodvaluereviewappaeskey7f3a00123456789abcd",
    "NEWMEDIA_SECRET_KEY": "prod-value-session-key-7f3a-0123456789abcdefghijklmnop",
    "NEWMEDIA_TOKEN_KEY": "cHJvZC12YWx1ZS10b2tlbi1rZXktN2YzYS0wMTIzNDU=",
}

_PLATFORM = re.compile(r'^platform = "(\w+)"$', re.MULTILINE)


def production_settings(
    text: str,
    *,
    api_base: str,
    public_url: str = "https://mzj.example.gov.cn",
    trusted_proxies: str = '["127.0.0.1"]',
) -> str:
    """The shipped settings out of demo mode: every account and app ``sandbox = false`` with
    ``api_base = "<api_base>/<platform>"``, a public https address behind a trusted proxy."""
    text = text.replace("[sandbox]\nenabled = true", "[sandbox]\nenabled = false", 1)
    blocks = text.split("\n[[")
    for i, block in enumerate(blocks):
        if block.startswith(("accounts]]", "wecom_apps]]")):
            found = _PLATFORM.search(block)
            platform = found.group(1) if found else "wecom"
            blocks[i] = block.replace(
                "sandbox = true\n", f'sandbox = false\napi_base = "{api_base}/{platform}"\n', 1
            )
    text = "\n[[".join(blocks)
    text = re.sub(r"^trusted_proxies = .*\n", "", text, flags=re.MULTILINE)
    return re.sub(
        r"^public_url = .*$",
        f'public_url = "{public_url}"\ntrusted_proxies = {trusted_proxies}',
        text,
        count=1,
        flags=re.MULTILINE,
    )


@contextmanager
def serving(app: web.Application) -> Iterator[str]:
    """``app`` on 127.0.0.1 (a free port) in a thread of its own; yields its base URL."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    ready = threading.Event()
    found: list[str] = []

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        found.append(f"http://127.0.0.1:{port}")
        ready.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
    try:
        assert ready.wait(timeout=30)
        yield found[0]
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
