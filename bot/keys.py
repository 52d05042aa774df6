"""Typed keys for everything the application holds (``web.AppKey``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import ClientSession, web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings_load import Settings
from review.db import SessionFactory

if TYPE_CHECKING:
    from bot.jobs import Jobs

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", SessionFactory)
HTTP = web.AppKey("http", ClientSession)
JOBS: web.AppKey[Jobs] = web.AppKey("jobs")
#: account key → Channel (filled by the channel registry)
CHANNELS: web.AppKey[dict[str, Any]] = web.AppKey("channels")
#: the in-process sandbox state when demo mode runs it (channels.sandbox.Sandbox)
SANDBOX = web.AppKey("sandbox", object)
#: the notifier delivering staff notifications (review.notify.Notifier)
NOTIFIER = web.AppKey("notifier", object)
#: background tasks started after a response (slow work); drained on shutdown
BACKGROUND: web.AppKey[set[Any]] = web.AppKey("background")
