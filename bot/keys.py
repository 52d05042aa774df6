"""Typed keys for everything the application holds (``web.AppKey``)."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientSession, web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.load import Settings
from bot.jobs import Jobs
from bot.services import Services
from review.db import SessionFactory
from review.publishing.publisher import Publisher

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", SessionFactory)
HTTP = web.AppKey("http", ClientSession)
JOBS = web.AppKey("jobs", Jobs)
#: account key → Channel (filled by the channel registry)
CHANNELS: web.AppKey[dict[str, Any]] = web.AppKey("channels")
#: the in-process sandbox state when demo mode runs it (channels.sandbox.Sandbox)
SANDBOX = web.AppKey("sandbox", object)
#: the notifier delivering staff notifications (review.notify.Notifier)
NOTIFIER = web.AppKey("notifier", object)
#: the publishing engine over the database (built in bot/publishing/wiring.py)
PUBLISHER = web.AppKey("publisher", Publisher)
#: what every surface shares (sessions, channels, settings views, clock, notifier)
SERVICES = web.AppKey("services", Services)
