"""The services every surface shares — HTTP routes, chat commands, the CLI, the ticks.

``create_app`` builds one ``Services`` when its resources are up; the CLI builds one the same way
(``bot.cli.actions.common.open_services``). Inbox, publishing, chat and console take it instead of
reaching into a ``web.Application``, so no surface needs to fake one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.config.load import Settings
from bot.platforms.media import media_policy
from channels.base import PlatformLimits
from review.db import SessionFactory
from review.drafts import DraftInput
from review.media import MediaPolicy, check_draft
from review.models import utcnow
from review.notify import Deliverer, LogDeliverer

T = TypeVar("T")


@dataclass
class Services:
    settings: Settings
    sessions: SessionFactory
    #: account key → channel (``channels.base.Channel``); empty where no platform is called
    channels: dict[str, Any] = field(default_factory=dict)
    notifier: Deliverer = field(default_factory=LogDeliverer)
    clock: Callable[[], datetime] = utcnow
    #: slow work started after a response; awaited on shutdown
    background: set[asyncio.Task[Any]] = field(default_factory=set)

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run slow work beside or after the response, kept referenced until it ends."""
        task = asyncio.get_running_loop().create_task(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    # ---- the settings the domain takes as plain values (review/ never imports bot/) ----------

    @property
    def safe_domains(self) -> dict[str, str | None]:
        return {key: a.safe_domain for key, a in self.settings.accounts.items()}

    @property
    def slots(self) -> dict[str, tuple[str, ...]]:
        return {key: a.slots for key, a in self.settings.accounts.items()}

    @property
    def lease(self) -> timedelta:
        return timedelta(hours=self.settings.file.review.lease_hours)

    @property
    def platform_limits(self) -> Mapping[str, PlatformLimits]:
        """Platform → what it refuses, as each adapter declares it: for the review gate."""
        # the Weibo limits carry its renderer (markdown-it, Jinja): ~0.1 s of imports that a
        # listing never needs (hyperfine, 2026-12-02), so only a command that runs the gate pays
        from bot.platforms.limits import PLATFORM_LIMITS

        return PLATFORM_LIMITS

    def with_default_cover(self, inp: DraftInput) -> DraftInput:
        """A WeChat article needs a cover: use the account's standard one when the draft has
        none (relative to the media root, like every image path)."""
        if inp.cover_path:
            return inp
        for key in inp.accounts:
            account = self.settings.accounts.get(key)
            if account is not None and account.platform == "wechat" and account.default_cover:
                return replace(inp, cover_path=account.default_cover)
        return inp

    @property
    def media(self) -> MediaPolicy:
        return media_policy(self.settings)

    async def prepare_draft(self, inp: DraftInput) -> DraftInput:
        """What every surface saves on create and edit: the default cover filled in, then every
        image checked against the media folder (``review.media``; ``MediaRefused`` names it)."""
        inp = self.with_default_cover(inp)
        await asyncio.to_thread(check_draft, self.media, inp.cover_path, inp.body)
        return inp
