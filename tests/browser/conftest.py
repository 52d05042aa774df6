"""Browser tests: the real service on a real port, driven by Debian's headless ``chromium``
through Playwright's *sync* API (the tests are plain ``def`` functions, not ``async def``).

Why this shape: the service runs in its own thread with its own event loop
(``browser_support.LiveService``), so Playwright's sync calls never meet pytest-asyncio's
per-test loops; whatever a test must do on the service's side (issue a token, run the
publisher, seed a message) goes through ``live.run(coroutine)``.

Chromium is ``/usr/bin/chromium`` (``apt-get install -y chromium fonts-noto-cjk``; ``.ci/run``
does it). Never ``playwright install``. Without it these tests SKIP, saying why — unless
``NEWMEDIA_TEST_BROWSER=require`` (set by ``.ci/run``): then they FAIL.

Fixtures (this file):

``live``      (function) a ``LiveService``: ``create_app`` as the demo builds it (the shipped
              settings.toml, the in-process sandbox, ticks off) on a fresh SQLite file in
              ``tmp_path``, the media folder copied there, ``[service] public_url`` = the real
              ``http://127.0.0.1:<port>`` (the console checks a form's Origin against it).
              ``live.url("/console/")``; ``live.app`` (``bot.keys`` name its parts);
              ``live.run(coro)`` runs a coroutine on the service's loop, returns its result;
              ``live.issue_token("li_na")``; ``live.publish_due()`` (the publisher's tick).
``browser``   (module) one headless Chromium per test module (skip/fail decided here).
``page``      (function) a page in a fresh context: no cookies, ``zh-CN``, Asia/Shanghai,
              1366×900, 15 s default timeout.
``new_page``  (function) ``new_page()`` → a page in another fresh context (a second person).

Helpers (``from browser_support import sign_in, shot, csrf_of``):

``sign_in(page, live, key)``  types a fresh token for ``key`` into the login form; returns on
              工作台 (``/console/``).
``shot(page, name)``  full-page ``docs/screenshots/<name>-desktop.png`` (1366 px) and
              ``<name>-mobile.png`` (390 px); fails when the page lacks a viewport tag or
              scrolls sideways at 390 px. Name shots after the page (``drafts-list``,
              ``calendar-week`` …); README's tour links them.
``csrf_of(page)``  the CSRF token of the current page's forms (to forge posts in refusals).

Keep them quick: one browser per session; no sleeps — Playwright's ``expect(...)`` and
``wait_for_url`` wait for what they need.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    ROOT,
    LiveService,
    required,
    unavailable,
)

from bot.config.load import load_settings

try:
    import playwright.sync_api  # noqa: F401
except ImportError:  # the test modules import it: without it they are not collected (or fail)
    if not required():
        collect_ignore_glob = ["test_*.py"]


@pytest.fixture
def live(browser: Any, tmp_path: Path) -> Iterator[LiveService]:
    """(Asks for ``browser`` first: without one the test skips before a service starts.)"""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # bound before the settings name it: no port race
    port = sock.getsockname()[1]
    media = tmp_path / "media"
    shutil.copytree(ROOT / "media", media, ignore=shutil.ignore_patterns("uploads"))
    shipped = load_settings(ROOT / "settings.toml", env={})
    service = shipped.file.service.model_copy(update={"public_url": f"http://127.0.0.1:{port}"})
    file = shipped.file.model_copy(
        update={
            "service": service,
            "media": shipped.file.media.model_copy(update={"root": str(media)}),
        }
    )
    settings = replace(shipped, file=file, database_url=f"sqlite:///{tmp_path / 'live.db'}")
    running = LiveService(settings, sock)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module. Not per session: while Playwright's sync API is open its
    event loop counts as running in this thread, and pytest-asyncio could not start the loops
    of the async tests collected after ``tests/browser`` in the same run."""
    why = unavailable()
    if why is not None:
        if required():
            pytest.fail(f"browser tests required (NEWMEDIA_TEST_BROWSER=require): {why}")
        pytest.skip(f"browser tests skipped: {why}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[[], Any]]:
    contexts: list[Any] = []

    def make() -> Any:
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=DESKTOP)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    return new_page()
