"""Which Weibo calls can put something in public: the one table that decides whether a failed
call (5xx, timeout, broken connection) may be sent again.

Weibo publishes in a single call, ``statuses/share``: when it fails without an answer the status
may be live, so the failure stays ambiguous and the engine looks for the post before anything
else. No endpoint this bot uses is private (nothing like WeChat's draft box), so nothing here is
turned into ``NotSent``; the table still names every call, so a new one is classified on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping

from channels.base import Absence, CallEffect

#: endpoint (as passed to ``WeiboAPI.call``) → what it can do in public
EFFECTS: Mapping[str, CallEffect] = {
    "statuses/share.json": CallEffect.PUBLIC,
    "statuses/destroy.json": CallEffect.PUBLIC,
    "comments/reply.json": CallEffect.PUBLIC,
    "comments/create.json": CallEffect.PUBLIC,
    "messages/reply.json": CallEffect.PUBLIC,  # private, but it reaches the citizen: never resent
    "statuses/user_timeline.json": CallEffect.READ,
    "comments/to_me.json": CallEffect.READ,
    "statuses/mentions.json": CallEffect.READ,
    "comments/mentions.json": CallEffect.READ,
}

#: publishing endpoint → what it means that a lookup by key did not find its post. ``share``
#: answers with the created status, so a status that got through is already in the account's
#: own timeline: missing after a search back to the send time, it never went out.
ABSENCE: Mapping[str, Absence] = {"statuses/share.json": Absence.NOT_PUBLISHED}
