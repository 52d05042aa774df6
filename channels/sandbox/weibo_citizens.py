"""What citizens do to a Weibo account in the fake — @mention it in a status or a comment,
write to it through the fan service — and the fan service's rule for the account's answer.

``WeiboSandbox`` (weibo_api.py) wraps these with ids, the clock and the state file; the state
they change is ``weibo_state.WeiboState``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from channels.sandbox.platform import SandboxError
from channels.sandbox.weibo_state import Comment, OtherStatus, PrivateMessage, WeiboState

#: the fake's answer to a private message without quota (see channels/weibo/errors.py)
NO_MESSAGE_QUOTA = 26001
MESSAGE_MAX_CHARS = 300


def at_account(state: WeiboState, text: str) -> str:
    """The text with ``@<account name>`` in it, as a mention must carry it."""
    name = "@" + (state.account.name or state.account.account_key)
    return text if name in text else f"{name} {text}"


def add_other(state: WeiboState, status: OtherStatus) -> OtherStatus:
    state.others.append(status)
    state.by_other[status.id] = status
    return status


def mention_in_comment(
    state: WeiboState,
    take_id: Callable[[], int],
    now: float,
    text: str,
    status_id: int | None,
    user: tuple[str, str],
) -> Comment:
    """A comment that @mentions the account, under ``status_id`` or, when None, under a new
    status of another citizen that does not mention it."""
    if status_id is None:
        passer_by = OtherStatus(take_id(), "6000000009", "路人甲", "今天去办了低保", now, False)
        status_id = add_other(state, passer_by).id
    comment = Comment(take_id(), status_id, user[0], user[1], at_account(state, text), now)
    state.mention_comments.append(comment)
    state.by_comment[comment.id] = comment
    if status_id in state.by_id:  # under the account's own status: a comment to it as well
        state.comments.append(comment)
        state.comment_ids.append(comment.id)
    return comment


def private_message(
    state: WeiboState, params: Mapping[str, str], now: float, window: float, new_id: int
) -> PrivateMessage:
    """``messages/reply``: text only, under 300 字, to a citizen who wrote within ``window``."""
    receiver = params.get("receiver_id", "")
    try:
        text = str(json.loads(params.get("data", "")).get("text", ""))
    except (ValueError, AttributeError):
        raise SandboxError(10016, "miss required parameter (data)") from None
    if params.get("type") != "text" or not text or not receiver:
        raise SandboxError(10016, "miss required parameter (type, data, receiver_id)")
    if len(text) >= MESSAGE_MAX_CHARS:
        raise SandboxError(20012, "Text too long, please input text less than 300 characters!")
    last = state.contacts.get(receiver)
    if last is None or now - last > window:
        raise SandboxError(NO_MESSAGE_QUOTA, "no quota to send message to this user!")
    sent = PrivateMessage(new_id, receiver, text, now)
    state.messages.append(sent)
    return sent
