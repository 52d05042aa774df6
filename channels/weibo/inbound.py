"""What citizens say to the account on Weibo, as inbox messages: comments on its statuses
(``comments/to_me``), statuses that @mention it (``statuses/mentions``) and comments that
@mention it (``comments/mentions``).

All three lists are newest first with ``since_id`` / ``max_id`` paging, so one walk serves them.
A comment keeps its comment id as the dedup key whichever list brought it (a comment on the
account's own status that also @mentions it is one message); a status is ``status:<id>``. The
answer's address follows from the kind (``msg_type``): a comment is answered by
``comments/reply``, a status by ``comments/create`` under it (``channel.WeiboChannel.reply``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from channels.base import IncomingMessage, MessagePage, Platform

log = logging.getLogger("channels.weibo")

#: ask before each call whether the day's call budget allows it (the service's budget)
MayCall = Callable[[], Awaitable[bool]]
#: one page of a list: (since_id, max_id, count) → the decoded body
FetchPage = Callable[[str | None, str | None, int], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Kind:
    """One list a poll reads: its endpoint, the key of its items and the messages' type."""

    name: str  # the poller's cursor: ``weibo:<name>:<account>``
    endpoint: str
    items: str
    msg_type: str


COMMENTS = Kind("comments", "comments/to_me.json", "comments", "comment")
STATUS_MENTIONS = Kind("mentions", "statuses/mentions.json", "statuses", "mention_status")
COMMENT_MENTIONS = Kind("comment_mentions", "comments/mentions.json", "comments", "mention_comment")
KINDS: Mapping[str, Kind] = {k.name: k for k in (COMMENTS, STATUS_MENTIONS, COMMENT_MENTIONS)}
#: answered under the item itself, in public (the rest are fan-service private messages)
COMMENT_TYPES = frozenset({"comment", "mention_comment"})
PUBLIC_TYPES = COMMENT_TYPES | {"mention_status"}
STATUS_PREFIX = "status:"
USER_PREFIX = "user:"


def reply_address(
    msg_type: str, dedup_key: str, sender: str, remote_ref: str | None
) -> tuple[str, str | None]:
    """``(to, ref)`` for ``WeiboChannel.reply``: under the comment or status itself, or a
    private message to the citizen for everything the fan service pushed."""
    if msg_type in COMMENT_TYPES:
        return dedup_key, remote_ref
    if msg_type == "mention_status":
        return dedup_key, None  # already ``status:<id>``
    return USER_PREFIX + sender, None


def parse_time(raw: str) -> datetime:
    try:
        return datetime.strptime(raw, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    except ValueError:
        return datetime.now(UTC)


def _id(item: Mapping[str, Any]) -> str:
    return str(item.get("idstr") or item.get("id") or "")


def to_message(kind: Kind, account_key: str, item: dict[str, Any]) -> IncomingMessage:
    user = item.get("user") or {}
    if kind is STATUS_MENTIONS:
        dedup, ref = STATUS_PREFIX + _id(item), _id(item)
    else:  # a comment: answered on the status it was made under
        dedup, ref = _id(item), _id(item.get("status") or {})
    return IncomingMessage(
        platform=Platform.WEIBO,
        account_key=account_key,
        dedup_key=dedup,
        sender=_id(user),
        created_at=parse_time(str(item.get("created_at", ""))),
        msg_type=kind.msg_type,
        text=str(item.get("text", "")),
        remote_ref=ref or None,
        raw={"screen_name": str(user.get("screen_name", ""))},
    )


async def walk(
    kind: Kind,
    account_key: str,
    fetch: FetchPage,
    since: str | None,
    *,
    page_size: int,
    max_pages: int,
    may_call: MayCall | None = None,
) -> MessagePage:
    """Items newer than ``since``, oldest first, walking back page by page (``max_id``) so a
    burst larger than one page is not skipped. When the call budget stops the walk before it
    reached ``since`` the cursor stays where it was: what was read is stored (deduplicated)
    and the next day's budget walks the gap again."""
    collected: list[dict[str, Any]] = []
    max_id: str | None = None
    complete = False
    for _ in range(max_pages):
        if may_call is not None and not await may_call():
            log.info("weibo %s of %s: call budget spent mid-walk", kind.name, account_key)
            break
        page = list((await fetch(since, max_id, page_size)).get(kind.items) or ())
        collected.extend(page)
        if len(page) < page_size:
            complete = True
            break
        max_id = str(min(int(_id(c)) for c in page) - 1)
    else:
        complete = True  # as before: a burst beyond max_pages is logged, not re-walked
        log.warning("weibo %s of %s: stopped after %d pages", kind.name, account_key, max_pages)
    messages = sorted(
        (to_message(kind, account_key, c) for c in collected), key=lambda m: _order(m.dedup_key)
    )
    newest = str(max((_order(m.dedup_key) for m in messages), default=0))
    cursor = newest if complete and messages else since
    return MessagePage(messages=messages, cursor=cursor)


def _order(dedup_key: str) -> int:
    return int(dedup_key.removeprefix(STATUS_PREFIX))
