"""Settings the domain needs, as the plain values review/ functions take (review/ never
imports bot/, so the service hands them over)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.settings_load import Settings
from review.drafts import DraftInput


def safe_domains(settings: Settings) -> dict[str, str | None]:
    return {key: a.safe_domain for key, a in settings.accounts.items()}


def slots(settings: Settings) -> dict[str, tuple[str, ...]]:
    return {key: a.slots for key, a in settings.accounts.items()}


def lease(settings: Settings) -> timedelta:
    return timedelta(hours=settings.file.review.lease_hours)


def with_default_cover(settings: Settings, inp: DraftInput) -> DraftInput:
    """A WeChat article needs a cover: use the account's standard one when the draft has none."""
    if inp.cover_path:
        return inp
    for key in inp.accounts:
        account = settings.accounts.get(key)
        if account is not None and account.platform == "wechat" and account.default_cover:
            # relative to the media root (the settings folder), like every image path
            return replace(inp, cover_path=account.default_cover)
    return inp
