"""Pull what citizens say to each Weibo account into the inbox: comments on its statuses,
statuses and comments that @mention it (``channels.weibo.inbound.KINDS``).

Weibo pushes none of these, so a tick reads each list from its own cursor
(``weibo:<kind>:<account>`` in ``cursors``, shared by every replica). Every page read spends one
call of the account's one daily budget (``[inbox] weibo_daily_call_budget``, counted on the row
``weibo:calls:<account>``): comments and mentions draw on the same budget, asked before each call
in its own short transaction, never across the call. The budget is spread over the Beijing day
(``allowance``), so three lists polled every few minutes do not spend it by breakfast, and the
lists take turns at going first, so none starves when the allowance is short.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from aiohttp import web

from bot import keys
from bot.inbox.inbound import INBOUND
from channels.base import ChannelError, IncomingMessage
from channels.weibo.channel import WeiboChannel
from channels.weibo.inbound import KINDS, Kind
from review import replies
from review.models import utcnow
from review.store import inbox as store
from review.store.directory import account_by_key
from review.timefmt import SHANGHAI

log = logging.getLogger("newmedia.inbox")


def budget_key(account_key: str) -> str:
    """The one row that counts an account's Weibo calls today."""
    return f"weibo:calls:{account_key}"


def cursor_key(kind: Kind, account_key: str) -> str:
    return f"weibo:{kind.name}:{account_key}"


def allowance(budget: int, local_now: datetime, burst: int = len(KINDS)) -> int:
    """Calls an account may have spent by ``local_now`` (Beijing time): the day's budget spread
    evenly over the day, plus ``burst`` ahead (one page of every list), never above the budget."""
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    share = (local_now - midnight) / timedelta(days=1)
    return min(budget, math.floor(budget * share) + burst)


def turn(local_now: datetime, poll_s: float) -> list[Kind]:
    """The lists in the order this poll reads them: each goes first in turn."""
    kinds = list(KINDS.values())
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = int((local_now - midnight).total_seconds() // max(poll_s, 1.0)) % len(kinds)
    return kinds[start:] + kinds[:start]


async def poll_weibo(app: web.Application) -> None:
    """Every Weibo account, every list, within the account's daily call budget."""
    settings = app[keys.SETTINGS]
    channels = app.get(keys.CHANNELS) or {}
    local_now = app[keys.SERVICES].clock().astimezone(SHANGHAI)
    inbox = settings.file.inbox
    limit = allowance(inbox.weibo_daily_call_budget, local_now)
    for key, account in settings.accounts.items():
        channel = channels.get(key)
        if account.platform != "weibo" or not isinstance(channel, WeiboChannel):
            continue
        for kind in turn(local_now, inbox.weibo_poll_minutes * 60):
            if not await _poll(app, channel, kind, local_now, limit):
                break  # allowance spent or the platform refused: the other lists wait too


async def _poll(
    app: web.Application, channel: WeiboChannel, kind: Kind, local_now: datetime, limit: int
) -> bool:
    """One list of one account; False when the account should not be asked again now."""
    key, day = channel.account_key, local_now.date().isoformat()
    sessions = app[keys.SESSIONS]
    spent = False

    async def may_call() -> bool:
        nonlocal spent
        async with sessions.begin() as session:
            if await store.spend_call(session, budget_key(key), day, limit):
                return True
        spent = True
        log.info("weibo %s of %s: %d calls spent so far today", kind.name, key, limit)
        return False

    async with sessions() as session:
        row = await store.cursor(session, cursor_key(kind, key))
    since = row.value if row is not None and row.value else None
    try:
        page = await channel.fetch(kind, since, may_call=may_call)
    except ChannelError as exc:
        log.warning("weibo %s of %s not fetched: %s", kind.name, key, exc.kind)
        return False
    await _store(app, kind, key, page.messages, page.cursor if page.cursor != since else None)
    return not spent


async def _store(
    app: web.Application,
    kind: Kind,
    key: str,
    messages: Sequence[IncomingMessage],
    cursor: str | None,
) -> None:
    inb = app[INBOUND]
    async with app[keys.SESSIONS].begin() as session:
        account = await account_by_key(session, key)
        if account is None:
            return
        now = utcnow()
        rows = [replies.new_row(m, account.id, now, inb.policy, inb.keywords) for m in messages]
        stored = await store.insert_messages(session, rows)
        if cursor:
            await store.save_cursor(session, cursor_key(kind, key), cursor)
    if rows:
        log.info("weibo %s of %s: %d fetched, %d stored", kind.name, key, len(rows), len(stored))
        inb.kick.set()
