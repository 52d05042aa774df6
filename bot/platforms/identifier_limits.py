"""The longest identifiers a callback may carry, read from the columns that store them.

One home for these numbers: a longer FromUserName or MsgId is refused by the callback with a 400
(``channels.callback_errors.IdentifierLimits``) instead of reaching PostgreSQL, where one
``value too long`` would fail every message of the grouped commit it joined. Where several
columns hold the same identifier the shortest wins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String

from channels.callback_errors import IdentifierLimits
from review.models import ChatCommand, CitizenMessage, Identity


def _length(column: Any) -> int:
    kind = column.type
    if not isinstance(kind, String) or kind.length is None:
        raise TypeError(f"{column} has no length")  # a changed model must change this module
    return int(kind.length)


IDENTIFIER_LIMITS = IdentifierLimits(
    # citizens' openids / Weibo uids are stored as senders, reviewers' as identities
    user_id=min(_length(CitizenMessage.sender), _length(Identity.external_id)),
    # a MsgId is the inbox's dedup key and part of a chat command's
    key=min(_length(CitizenMessage.dedup_key), _length(ChatCommand.dedup_key)),
    msg_type=_length(CitizenMessage.msg_type),
    event=_length(CitizenMessage.event),
)
