"""What every batch store of the callback's fast path shares: the row shapes, the columns, the
contract, and the two pure steps of a batch (which nonce is whose, which messages go in).

Kept apart from the stores so each of them (session, raw SQLite, raw PostgreSQL) and the
factory that picks one (:mod:`review.store.inbox_batch`) import it and never each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Table

from review.models import CitizenMessage, SeenNonce

#: (scope, nonce, body digest, message row or None) — one callback request
BatchItem = tuple[str, str, str, dict[str, Any] | None]
Digests = dict[tuple[str, str], str]

NONCES: Table = SeenNonce.__table__  # type: ignore[assignment]
MESSAGES: Table = CitizenMessage.__table__  # type: ignore[assignment]
#: the columns a message row carries (``new_row``); the others are NULL until routing
ROW_COLS = (
    "account_id", "platform", "dedup_key", "sender", "msg_type", "event", "text", "remote_ref",
    "received_at", "sent_at", "status", "processed", "hot", "deadline_at", "deadline_note",
    "close_reason", "reply_window_closes_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """What the passive reply is derived from (identical for every retry of one message)."""

    id: int
    status: str
    text: str
    msg_type: str
    event: str | None
    deadline_at: datetime | None
    deadline_note: str | None
    #: "已自动答复：<title>" when the row was stored as a 办事指南 answer
    close_reason: str | None = None
    #: the acknowledgement states the working days from receipt to the deadline
    received_at: datetime | None = None


Stored = dict[tuple[int, str], StoredMessage]
#: the columns read back into a ``StoredMessage``, in its field order
MSG_COLS = (
    "id", "status", "text", "msg_type", "event", "deadline_at", "deadline_note", "close_reason",
    "received_at",
)  # fmt: skip


class BatchStore(Protocol):
    """Commits one batch; raises on any database error (then nothing of the batch is stored)."""

    async def commit(self, items: Sequence[BatchItem]) -> tuple[Digests, Stored]: ...

    async def close(self) -> None: ...


def unique_nonces(items: Sequence[BatchItem]) -> dict[tuple[str, str], str]:
    """(scope, nonce) → digest of its first request in the batch (a later different body for the
    same nonce then reads back the first digest and is refused as a replay)."""
    out: dict[tuple[str, str], str] = {}
    for scope, nonce, digest, _row in items:
        out.setdefault((scope, nonce), digest)
    return out


def accepted_rows(items: Sequence[BatchItem], digests: Digests) -> list[dict[str, Any]]:
    """The message rows of requests whose nonce is theirs, first of each unique key only."""
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for scope, nonce, digest, row in items:
        if row is not None and digests.get((scope, nonce)) == digest:
            rows.setdefault((row["account_id"], row["dedup_key"]), row)
    return list(rows.values())
