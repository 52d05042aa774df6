"""``/sandbox/``: in demo mode, each sandbox account's timeline as its followers see it.

The page and the fake platform APIs under ``/sandbox/wechat|weibo|wecom`` come from the shipped
sandbox (``channels.sandbox``); ``bot.sandbox.wiring`` mounts them and runs the loopback copy
the API clients use. Outside demo mode nothing is mounted and ``/sandbox/`` is a 404.
"""

from __future__ import annotations

from aiohttp import web

from bot.sandbox import wiring as sandbox_wiring


def setup(app: web.Application) -> None:
    sandbox_wiring.mount(app)
