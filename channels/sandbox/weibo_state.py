"""The Weibo fake's per-account state: statuses, comments on them, citizens' statuses and
comments that @mention the account, our replies and private messages.

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
class OtherStatus:
    """A citizen's status: one that @mentions the account, or one a mentioning comment is on."""

    id: int
    user_id: str
    user_name: str
    text: str
    created_at: float
    mentions: bool = True


@dataclass
class PrivateMessage:
    """A fan-service message the account sent (``messages/reply``)."""

    id: int
    receiver_id: str
    text: str
    created_at: float


@dataclass
class WeiboState:
    account: WeiboAccount
    statuses: list[Status] = field(default_factory=list)  # oldest first
    by_id: dict[int, Status] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)  # to_me, ascending id
    comment_ids: list[int] = field(default_factory=list)
    by_comment: dict[int, Comment] = field(default_factory=dict)
    replies: list[Comment] = field(default_factory=list)  # ours: comments/reply and create
    others: list[OtherStatus] = field(default_factory=list)  # ascending id
    by_other: dict[int, OtherStatus] = field(default_factory=dict)
    mention_comments: list[Comment] = field(default_factory=list)  # ascending id
    messages: list[PrivateMessage] = field(default_factory=list)
    contacts: dict[str, float] = field(default_factory=dict)  # uid → their last message
    expired: bool = False
    calls: tuple[int, int] = (0, 0)  # (clock hour, calls in it)
    comment_calls: tuple[int, int] = (0, 0)  # (clock hour, comments written in it)

    def mentioning_statuses(self) -> list[OtherStatus]:
        return [s for s in self.others if s.mentions]


def dump(state: WeiboState) -> dict[str, Any]:
    return {
        "statuses": [asdict(s) for s in state.statuses],
        "comments": [asdict(c) for c in state.comments],
        "replies": [asdict(c) for c in state.replies],
        "others": [asdict(s) for s in state.others],
        "mention_comments": [asdict(c) for c in state.mention_comments],
        "messages": [asdict(m) for m in state.messages],
        "contacts": state.contacts,
        "expired": state.expired,
        "calls": list(state.calls),
        "comment_calls": list(state.comment_calls),
    }


def restore(state: WeiboState, doc: dict[str, Any]) -> None:
    """Fill a fresh account state from its stored document."""
    state.statuses = [Status(**s) for s in doc["statuses"]]
    state.by_id = {s.id: s for s in state.statuses}
    state.comments = [Comment(**c) for c in doc["comments"]]
    state.comment_ids = [c.id for c in state.comments]
    state.replies = [Comment(**c) for c in doc["replies"]]
    # documents written before mentions existed lack these keys
    state.others = [OtherStatus(**s) for s in doc.get("others", ())]
    state.by_other = {s.id: s for s in state.others}
    state.mention_comments = [Comment(**c) for c in doc.get("mention_comments", ())]
    state.by_comment = {c.id: c for c in [*state.comments, *state.mention_comments]}
    state.messages = [PrivateMessage(**m) for m in doc.get("messages", ())]
    state.contacts = {str(k): float(v) for k, v in doc.get("contacts", {}).items()}
    state.expired = bool(doc["expired"])
    state.calls = (int(doc["calls"][0]), int(doc["calls"][1]))
    hour, used = doc.get("comment_calls", (0, 0))
    state.comment_calls = (int(hour), int(used))
