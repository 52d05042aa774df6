"""The inbox's resources as a cleanup context: account ids, the grouped-commit writer and the
slow-path loop (after the database is up)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator

from aiohttp import web

from bot import keys
from bot.inbox.inbound import INBOUND
from bot.inbox.ticks import process_loop
from bot.inbox.writer import InboxWriter
from bot.wordings.wiring import open_guides
from bot.workers import worker_of
from review.routing import classify
from review.store.directory import all_accounts
from review.store.inbox_batch import open_batch_store


async def inbound_ctx(app: web.Application) -> AsyncIterator[None]:
    """After the database: account ids, the grouped-commit writer and the slow-path loop."""
    inbound = app[INBOUND]
    async with app[keys.SESSIONS]() as session:
        ids = {a.key: a.id for a in await all_accounts(session)}
    for key, endpoint in inbound.endpoints.items():
        endpoint.account_id = ids.get(key, 0)
    inbound.guides = await open_guides(
        app[keys.SERVICES], inbound.answers, primary=worker_of(app).background
    )
    # jieba's dictionary takes a second or two to load and holds the GIL meanwhile: load it
    # before the first callback arrives, not under traffic
    await asyncio.to_thread(classify, "低保")
    # everything loaded so far (jieba's dictionary, templates, lexicons) lives as long as the
    # process: take it out of the collector's sight, else every full collection walks it again
    # (≈ 50 ms with the loop stopped — the callback's p99)
    gc.freeze()
    store = open_batch_store(app[keys.SETTINGS].database_url, app[keys.SESSIONS])
    writer = InboxWriter(store, on_commit=inbound.kick.set)
    writer.start()
    inbound.writer = writer
    worker = worker_of(app)
    loop_task = None
    if worker.background:  # routing runs in one process; the others' commits are polled for
        poll_s = 1.0 if worker.count > 1 else 5.0
        loop_task = asyncio.get_running_loop().create_task(
            process_loop(app, inbound.kick, poll_s=poll_s)
        )
    yield
    await writer.close()
    if loop_task is not None:
        loop_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop_task
