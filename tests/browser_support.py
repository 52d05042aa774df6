"""Helpers of the browser tests (tests/browser/; their fixtures and how to use them are in
tests/browser/conftest.py): the live service in its own thread, signing in through the login
form, and the screenshots at desktop and phone widths."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from bot import keys
from bot.config.load import Settings

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
MOBILE = {"width": 390, "height": 844}

T = TypeVar("T")


def required() -> bool:
    """``NEWMEDIA_TEST_BROWSER=require`` (CI): a missing browser fails instead of skipping."""
    return os.environ.get("NEWMEDIA_TEST_BROWSER", "auto") == "require"


def unavailable() -> str | None:
    """Why the browser cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium fonts-noto-cjk)"
    return None


class LiveService:
    """The service app listening on 127.0.0.1, in a thread with its own event loop."""

    def __init__(self, settings: Settings, sock: socket.socket) -> None:
        from bot.app import create_app

        self.base = settings.file.service.public_url.rstrip("/")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        try:
            # built in the service's thread: the sandbox's state file is a sqlite3 connection
            self.app = self.run(self._build(lambda: create_app(settings, run_jobs=False)))
            self._runner = web.AppRunner(self.app, access_log=None)
            self.run(self._start(sock))
        except BaseException:
            self._halt()
            raise

    @staticmethod
    async def _build(make: Callable[[], web.Application]) -> web.Application:
        return make()

    async def _start(self, sock: socket.socket) -> None:
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run ``coro`` on the service's loop (its database engine lives there)."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def url(self, path: str = "/") -> str:
        return self.base + path

    def issue_token(self, key: str) -> str:
        """A fresh personal API token for person ``key`` (as ``newmedia token issue``)."""
        from review.store import directory

        async def issue() -> str:
            async with self.app[keys.SESSIONS].begin() as s:
                person = await directory.person_by_key(s, key)
                assert person is not None, key
                return await directory.issue_token(s, person)

        return self.run(issue())

    def publish_due(self) -> int:
        """The publisher's tick, once: posts due now go to the sandbox platforms."""
        return self.run(self.app[keys.PUBLISHER].publish_due())

    def stop(self) -> None:
        try:
            self.run(self._runner.cleanup())
        finally:
            self._halt()

    def _halt(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


def sign_in(page: Any, live: LiveService, key: str) -> None:
    """Sign ``key`` in as a person does: a fresh personal token typed into the login form."""
    token = live.issue_token(key)
    page.goto(live.url("/console/login"))
    page.get_by_label("个人 API 令牌").fill(token)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live.url("/console/"))


def csrf_of(page: Any) -> str:
    """The CSRF token the current page's forms carry."""
    value = page.locator('input[name="csrf"]').first.get_attribute("value")
    assert value, "the page carries a CSRF token for its forms"
    return str(value)


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def shot(page: Any, name: str) -> None:
    """Full-page screenshots at 1366 and 390 px into docs/screenshots/<name>-desktop|mobile.png.

    Fails when the page has no ``width=device-width`` viewport tag or scrolls sideways on a
    390 px phone. The page is left at 1366 px."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.locator('meta[name="viewport"]')
    assert viewport.count() == 1, f"{name}: the page has no viewport tag"
    assert "width=device-width" in (viewport.get_attribute("content") or ""), name
    try:
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
        page.set_viewport_size(MOBILE)
        page.screenshot(path=str(SHOTS / f"{name}-mobile.png"), full_page=True)
        wider = overflow(page)
        assert wider <= 0, f"{name}: the page is {wider} px wider than a 390 px phone"
    finally:
        page.set_viewport_size(DESKTOP)
