"""How the Weibo fake shows its state: statuses and comments as Weibo's JSON, and the one
paging rule of its lists (``comments/to_me``, ``statuses/mentions``, ``comments/mentions``).

The lists follow the public v2 docs (open.weibo.com/wiki/2/statuses/mentions,
2/comments/mentions): newest first; ``since_id`` returns only ids above it, ``max_id`` ids at or
below it; ``count`` (default 50, at most 200) and ``page`` pick a page of what remains.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from channels.sandbox.weibo_state import Comment, OtherStatus, Status, WeiboState

T = TypeVar("T", Comment, OtherStatus)
MAX_COUNT = 200


def weibo_time(ts: float) -> str:
    """Weibo's ``created_at`` format, in Beijing time."""
    return time.strftime("%a %b %d %H:%M:%S +0800 %Y", time.gmtime(ts + 8 * 3600))


def _user(uid: str, name: str) -> dict[str, Any]:
    return {"id": int(uid), "idstr": uid, "screen_name": name}


def status_json(state: WeiboState, status: Status | OtherStatus) -> dict[str, Any]:
    if isinstance(status, OtherStatus):
        user = _user(status.user_id, status.user_name)
    else:
        user = _user(state.account.uid, state.account.name or state.account.account_key)
    return {
        "id": status.id,
        "idstr": str(status.id),
        "mid": str(status.id),
        "text": status.text,
        "created_at": weibo_time(status.created_at),
        "user": user,
    }


def any_status(state: WeiboState, status_id: int) -> Status | OtherStatus | None:
    """The account's own status (not deleted) or a citizen's the fake knows of."""
    own = state.by_id.get(status_id)
    if own is not None:
        return None if own.deleted else own
    return state.by_other.get(status_id)


def comment_json(state: WeiboState, comment: Comment) -> dict[str, Any]:
    status = any_status(state, comment.status_id)
    return {
        "id": comment.id,
        "idstr": str(comment.id),
        "text": comment.text,
        "created_at": weibo_time(comment.created_at),
        "user": _user(comment.user_id, comment.user_name),
        "status": status_json(state, status) if status else None,
    }


def listing(
    items: Sequence[T],
    params: Mapping[str, str],
    key: str,
    show: Callable[[T], dict[str, Any]],
) -> dict[str, Any]:
    """One page of ``items`` (ascending id) as Weibo answers it under ``key``."""
    count = min(int(params.get("count", 50)), MAX_COUNT)
    ids = [item.id for item in items]
    lo = bisect.bisect_right(ids, int(params.get("since_id") or 0))
    max_id = int(params.get("max_id") or 0)
    hi = bisect.bisect_right(ids, max_id) if max_id else len(ids)
    end = hi - (max(int(params.get("page", 1)), 1) - 1) * count
    window = items[max(lo, end - count) : max(lo, end)]
    next_cursor = window[0].id - 1 if window and max(lo, end - count) > lo else 0
    return {
        key: [show(item) for item in reversed(window)],
        "total_number": hi - lo,
        "next_cursor": next_cursor,
        "previous_cursor": 0,
    }
