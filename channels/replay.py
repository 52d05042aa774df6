"""Replay protection for signed callbacks.

A WeChat/WeCom signature covers only (token, timestamp, nonce) — never the plaintext body — so a
captured URL could be replayed with a different body inside the time window. WeChat itself retries
with the very same request. Hence: same nonce + same timestamp + same body = a retry (answer it as
the first); same nonce with anything else = a replay (refuse). The service keeps the nonces in
its database; ``MemoryNonceGuard`` is the in-process version for tests and the demo.

Dedup keys answer the other half: the inbox's unique key must be equal for every retry of one
message and differ between two messages. WeChat/WeCom: MsgId for messages; events have none, so
sender + CreateTime + Event, plus whatever tells two events of one second apart (EventKey,
publish_id, TaskId). Keys stay below ``MAX_KEY`` characters (a long EventKey is hashed).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal, Protocol

from channels.callback_errors import bad_request, replay

Verdict = Literal["new", "retry", "replay"]
MAX_KEY = 191


def dedup_key(*parts: str) -> str:
    """Join the parts with ':'; hash the tail when the result would be too long."""
    key = ":".join(parts)
    if len(key) <= MAX_KEY:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: MAX_KEY - 66]}~{digest}"


def utc_from_epoch(value: str | None, name: str = "CreateTime", *, scale: float = 1.0) -> datetime:
    """An aware UTC datetime from epoch seconds (``scale`` 1000 for milliseconds)."""
    if value is None or not (value.strip().isascii() and value.strip().isdigit()):
        raise bad_request(f"{name} missing or not digits")
    seconds = int(value) / scale
    if seconds > 32503680000:  # year 3000: refuse garbage before datetime overflows
        raise bad_request(f"{name} out of range")
    return datetime.fromtimestamp(seconds, UTC)


def body_digest(body: bytes) -> str:
    """sha256 of the raw body, for the replay guard (never store the body itself there)."""
    return hashlib.sha256(body).hexdigest()


class NonceGuard(Protocol):
    """Remembers (account, nonce) → (timestamp, body digest) for at least the time window."""

    async def seen(
        self, account_key: str, nonce: str, timestamp: str, body_digest: str
    ) -> Verdict: ...


class MemoryNonceGuard:
    """In-memory ``NonceGuard`` with expiry and a size cap (oldest entries go first)."""

    def __init__(
        self,
        window_s: float = 300,
        *,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # keep entries twice the window: a request may be up to window_s early or late
        self._keep_s = 2 * window_s
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str], tuple[float, str, str]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _expire(self, now: float) -> None:
        entries = self._entries
        while entries:
            stored_at = next(iter(entries.values()))[0]
            if now - stored_at <= self._keep_s and len(entries) <= self._max_entries:
                break
            entries.popitem(last=False)

    async def seen(self, account_key: str, nonce: str, timestamp: str, body_digest: str) -> Verdict:
        now = self._clock()
        self._expire(now)
        key = (account_key, nonce)
        previous = self._entries.get(key)
        if previous is None:
            self._entries[key] = (now, timestamp, body_digest)
            return "new"
        if previous[1] == timestamp and previous[2] == body_digest:
            return "retry"
        return "replay"


async def guard_replay(
    guard: NonceGuard, account_key: str, nonce: str, timestamp: str, body_digest: str
) -> bool:
    """True for a platform retry, False for a new request; raises CallbackError('replay')."""
    verdict = await guard.seen(account_key, nonce, timestamp, body_digest)
    if verdict == "replay":
        raise replay("nonce reused with a different timestamp or body")
    return verdict == "retry"
