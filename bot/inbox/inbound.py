"""What the Official Account callback needs, built once at start-up: one endpoint per account
(signature, AES, body limit), the deadline policy, the 办事指南 answers and the staff whitelist."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import web

from bot.config.load import Settings
from bot.inbox.writer import InboxWriter
from bot.platforms.identifier_limits import IDENTIFIER_LIMITS
from bot.wordings.guides import GuideSnapshot
from channels.wechat.callback import OACallback
from review.keyword_answers import KeywordAnswers, KeywordAnswersFile
from review.quick_scope import QuickScope, default_quick_scope
from review.replies_fast import InboxPolicy
from review.topic_guess import default_guesser
from review.workdays import parse_dates


class StaffCommandHandler(Protocol):
    """Set by the chat area: a whitelisted staff follower's text becomes a chat command.
    Returns the text of the passive reply. ``msg_key`` (MsgId) lets it ignore retries."""

    def __call__(
        self, account_key: str, person_key: str, text: str, *, msg_key: str
    ) -> Awaitable[str]: ...


STAFF_COMMAND_HANDLER = web.AppKey("staff_command_handler", StaffCommandHandler)


@dataclass
class Endpoint:
    account_key: str
    account_name: str
    callback: OACallback
    account_id: int = 0


@dataclass
class Inbound:
    """Everything the callback needs, built once at start-up."""

    endpoints: dict[str, Endpoint]
    policy: InboxPolicy
    answers: KeywordAnswersFile
    scope: QuickScope
    staff: dict[str, str]  # openid → person key (from settings)
    kick: asyncio.Event = field(default_factory=asyncio.Event)
    writer: InboxWriter | None = None
    #: the approved 办事指南 entries of the 口径 library (bot/wordings/), set at start-up
    guides: GuideSnapshot | None = None

    @property
    def keywords(self) -> KeywordAnswers:
        """The approved 办事指南 entries (in memory, refreshed after a change); the file's
        entries only while the library holds none. The file's fillers apply either way."""
        seed = self.answers.current()
        library = self.guides.current() if self.guides is not None else None
        return library if library is not None else seed


INBOUND = web.AppKey("wechat_inbound", Inbound)


def policy_from(settings: Settings) -> InboxPolicy:
    inbox, cal = settings.file.inbox, settings.file.calendar
    return InboxPolicy(
        default_days=inbox.default_deadline_days,
        topic_days=dict(inbox.topic_deadline_days),
        reminder_hours=inbox.reminder_hours_before,
        extra_holidays=parse_dates(cal.extra_holidays),
        extra_workdays=parse_dates(cal.extra_workdays),
    )


def build_inbound(settings: Settings) -> Inbound:
    window = settings.file.inbox.timestamp_window_seconds
    endpoints: dict[str, Endpoint] = {}
    for key, account in settings.accounts.items():
        if account.platform != "wechat":
            continue
        secrets = settings.secrets[key]
        aes = secrets.aes_key if account.callback_mode != "plain" else None
        callback = OACallback(
            secrets.token, aes, account.app_id, window_s=window,
            max_body=settings.file.service.max_body_bytes, account_key=key,
            limits=IDENTIFIER_LIMITS,
        )  # fmt: skip
        endpoints[key] = Endpoint(key, account.name, callback)
    staff = {p.openid: p.key for p in settings.people.values() if p.openid}
    policy = policy_from(settings)
    if policy.topic_days:
        default_guesser()  # built now (≈ 30 ms), not in the first citizen's callback
    return Inbound(
        endpoints,
        policy,
        KeywordAnswersFile(settings.keyword_answers),
        default_quick_scope(),
        staff,
    )
