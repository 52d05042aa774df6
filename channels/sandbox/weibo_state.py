"""The Weibo fake's per-account state: statuses, comments on them, our replies.

``dump`` / ``restore`` turn it into the JSON document the state file keeps (persistence.py);
the indexes (``by_id``, ``comment_ids``, ``by_comment``) are rebuilt, not stored twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from channels.sandbox.config import WeiboAccount


@dataclass
class Status:
    id: int
    text: str
    created_at: float
    deleted: bool = False


@dataclass
class Comment:
    id: int
    status_id: int
    user_id: str
    user_name: str
    text: str
    created_at: float
    reply_to: int | None = None  # our replies: the comment answered


@dataclass
class WeiboState:
    account: WeiboAccount
    statuses: list[Status] = field(default_factory=list)  # oldest first
    by_id: dict[int, Status] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)  # to_me, ascending id
    comment_ids: list[int] = field(default_factory=list)
    by_comment: dict[int, Comment] = field(default_factory=dict)
    replies: list[Comment] = field(default_factory=list)
    expired: bool = False
    calls: tuple[int, int] = (0, 0)  # (clock hour, calls in it)


def dump(state: WeiboState) -> dict[str, Any]:
    return {
        "statuses": [asdict(s) for s in state.statuses],
        "comments": [asdict(c) for c in state.comments],
        "replies": [asdict(c) for c in state.replies],
        "expired": state.expired,
        "calls": list(state.calls),
    }


def restore(state: WeiboState, doc: dict[str, Any]) -> None:
    """Fill a fresh account state from its stored document."""
    state.statuses = [Status(**s) for s in doc["statuses"]]
    state.by_id = {s.id: s for s in state.statuses}
    state.comments = [Comment(**c) for c in doc["comments"]]
    state.comment_ids = [c.id for c in state.comments]
    state.by_comment = {c.id: c for c in state.comments}
    state.replies = [Comment(**c) for c in doc["replies"]]
    state.expired = bool(doc["expired"])
    state.calls = (int(doc["calls"][0]), int(doc["calls"][1]))
