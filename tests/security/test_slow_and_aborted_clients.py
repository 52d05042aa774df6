"""Slow and vanishing clients on a real socket (``bot.server``).

- a client that uploads part of a body and disconnects leaves one WARNING line — no traceback,
  no ERROR — on the OA callback, the WeCom callback and the API alike;
- request heads and bodies that trickle in are cut off after ``[service] read_timeout_s``
  (0.2 s here): the connection is closed; a request that arrives in time is answered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace

import pytest
from aiohttp import web
from app_support import bearer

from bot.app import create_app
from bot.config.load import Settings
from bot.server import runner_options
from review.db import SessionFactory

TIMEOUT_S = 0.2
#: how long a test waits for the server to close a connection: only reached when it fails
GIVE_UP_S = 10.0


@dataclass
class Served:
    port: int
    started: asyncio.Event  # a handler is running (the head was parsed)
    finished: asyncio.Event  # and has returned or raised


def _quick(settings: Settings) -> Settings:
    service = settings.file.service.model_copy(update={"read_timeout_s": TIMEOUT_S})
    return replace(settings, file=settings.file.model_copy(update={"service": service}))


@pytest.fixture
async def served(settings: Settings, sf: SessionFactory) -> AsyncIterator[Served]:
    quick = _quick(settings)
    app = create_app(quick, run_jobs=False)
    started, finished = asyncio.Event(), asyncio.Event()

    @web.middleware
    async def probe(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        started.set()
        try:
            return await handler(request)
        finally:
            finished.set()

    app.middlewares.insert(0, probe)  # outermost: sees every request the app handles
    runner = web.AppRunner(app, access_log=None, **runner_options(quick))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield Served(port, started, finished)
    finally:
        await runner.cleanup()


def _head(path: str, length: int, extra: str = "") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n{extra}\r\n"
    ).encode()


async def _closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sent until it closed the connection."""
    return await asyncio.wait_for(reader.read(), GIVE_UP_S)


ABORTED = [
    "/wechat/ccmz_wechat?timestamp=1&nonce=2&signature=x",
    "/wecom/review_app?timestamp=1&nonce=2&msg_signature=x",
    "/api/drafts",
]


@pytest.mark.parametrize("path", ABORTED)
async def test_aborted_upload_is_one_warning_line(
    served: Served, sf: SessionFactory, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    caplog.set_level(logging.INFO)
    auth = "".join(f"{k}: {v}\r\n" for k, v in (await bearer(sf, "zhao_min")).items())
    _, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(_head(path, 60_000, auth) + b'{"title": "')
    await writer.drain()
    await asyncio.wait_for(served.started.wait(), GIVE_UP_S)
    caplog.clear()
    writer.close()  # the upload is aborted mid-body
    await asyncio.wait_for(served.finished.wait(), GIVE_UP_S)
    await asyncio.sleep(0)  # let aiohttp finish the (dropped) response
    noisy = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert noisy == []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    line = warnings[0].getMessage()
    assert "went away" in line and "nonce" not in line and "signature" not in line
    assert "Bearer" not in line and "title" not in line


async def test_trickled_request_head_is_closed(served: Served) -> None:
    """A head sent a byte at a time never completes: the connection is closed, unanswered."""
    head = _head("/wechat/ccmz_wechat", 10)
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    sent = 0

    async def trickle() -> None:
        nonlocal sent
        for byte in head[:-2]:  # never the blank line that ends the head
            writer.write(bytes([byte]))
            sent += 1
            await asyncio.sleep(TIMEOUT_S / 10)  # the slow client itself

    feeder = asyncio.create_task(trickle())
    try:
        assert await _closed_by_server(reader) == b""
    finally:
        feeder.cancel()
        writer.close()
    assert not served.started.is_set()  # no handler ever saw it
    assert sent < len(head) - 2  # cut off while still trickling


async def test_many_silent_connections_are_all_closed(served: Served) -> None:
    conns = [await asyncio.open_connection("127.0.0.1", served.port) for _ in range(50)]
    for _, writer in conns:
        writer.write(b"POST /wechat/ccmz_wechat HTTP/1.1\r\nHost: x\r\n")
    replies = await asyncio.gather(*(_closed_by_server(reader) for reader, _ in conns))
    assert replies == [b""] * 50
    for _, writer in conns:
        writer.close()


async def test_slow_body_is_closed_and_logged(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(_head("/wechat/ccmz_wechat?timestamp=1&nonce=2&signature=x", 1000) + b"<xml>")
    await writer.drain()
    try:
        assert await _closed_by_server(reader) == b""
    finally:
        writer.close()
    await asyncio.wait_for(served.finished.wait(), GIVE_UP_S)
    lines = [r.getMessage() for r in caplog.records if r.name == "newmedia.server"]
    assert len(lines) == 1 and "not received within 0.2 s" in lines[0]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_prompt_request_is_still_answered(served: Served) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await writer.drain()
    reply = await _closed_by_server(reader)
    writer.close()
    assert reply.startswith(b"HTTP/1.1 ")


MALFORMED = [
    b"GARBAGE\r\n\r\n",
    b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n",
    b"POST /api/drafts HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
]


@pytest.mark.parametrize("raw", MALFORMED, ids=["garbage", "long-path", "long-header", "neg-len"])
async def test_malformed_request_is_one_warning_and_names_no_version(
    served: Served, caplog: pytest.LogCaptureFixture, raw: bytes
) -> None:
    """aiohttp's parser answers these before any route or signal: still one warning line, and
    the answer's Server header names no aiohttp or Python version."""
    caplog.set_level(logging.DEBUG)
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(raw)
    await writer.drain()
    answer = await _closed_by_server(reader)
    writer.close()
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    assert head.startswith("HTTP/1.") and " 400 " in head.split("\r\n")[0], head
    assert "aiohttp" not in head and "Python" not in head
    assert "Server: newmedia" in head
    seen = [r for r in caplog.records if r.levelno >= logging.INFO]  # DEBUG is off in service
    assert [r for r in seen if r.levelno >= logging.ERROR or r.exc_info] == []
    lines = [r.getMessage() for r in seen if r.levelno == logging.WARNING]
    # at most one line; aiohttp itself files a non-HTTP first line (port scanners) under DEBUG
    assert len(lines) <= 1 and all("malformed request" in line for line in lines), lines
    assert lines or raw.startswith(b"GARBAGE")
