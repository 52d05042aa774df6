"""Shared CLI plumbing: settings, a database session factory, output as table or JSON."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import aiohttp

from bot.services import Services
from bot.settings_load import Settings, load_settings
from review.db import SessionFactory, create_engine, session_factory
from review.errors import DomainError, NotFound
from review.models import Person
from review.store import directory
from review.store.directory import sync_directory


class CliError(Exception):
    """Printed as ``错误：…`` with exit code 2 (no stack trace)."""


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "settings", None))


@asynccontextmanager
async def open_db(args: argparse.Namespace) -> AsyncIterator[tuple[Settings, SessionFactory]]:
    """Settings + an up-to-date database (embedded SQLite is upgraded on the fly)."""
    from bot import migrate
    from review.db import is_sqlite

    settings = settings_from(args)
    if is_sqlite(settings.database_url):
        await migrate.upgrade(settings.database_url)
    else:
        await migrate.require_current(settings.database_url)
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    try:
        async with sessions.begin() as session:
            await sync_directory(
                session,
                settings.departments.values(),
                settings.people.values(),
                settings.accounts.values(),
            )
        yield settings, sessions
    finally:
        await engine.dispose()


@asynccontextmanager
async def open_services(
    args: argparse.Namespace, *, channels: bool = False
) -> AsyncIterator[Services]:
    """The same ``Services`` the web service builds; ``channels`` when the command calls a
    platform (sandbox accounts reach the running service's ``/sandbox``)."""
    async with open_db(args) as (settings, sessions):
        if not channels:
            yield Services(settings, sessions)
            return
        from bot.platforms.registry import build_channels, close_all
        from review.store.tokens import DbTokenStore

        sandbox_url = settings.file.service.public_url.rstrip("/") + "/sandbox"
        async with aiohttp.ClientSession() as http:
            built = build_channels(
                settings,
                DbTokenStore(sessions),
                http=http,
                sandbox_url=sandbox_url if settings.demo else None,
            )
            try:
                yield Services(settings, sessions, channels=built)
            finally:
                await close_all(built)


async def person_arg(session: Any, key: str | None, *, default: str | None = None) -> Person:
    key = key or default
    if not key:
        raise CliError("请用 --as 指定操作人（settings.toml 中 [[people]] 的 key 或姓名）")
    person = await directory.person_by_name_or_key(session, key)
    if person is None:
        raise CliError(f"未知的人员「{key}」")
    return person


def _default(obj: object) -> object:
    if isinstance(obj, datetime):
        return obj.isoformat()
    raise TypeError(type(obj).__name__)


def print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=_default) + "\n")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def print_table(rows: Iterable[Mapping[str, object]], columns: Sequence[tuple[str, str]]) -> None:
    """Columns are (key, header); widths account for double-width Chinese characters."""
    data = [[("" if r.get(k) is None else str(r.get(k))) for k, _ in columns] for r in rows]
    headers = [h for _, h in columns]
    widths = [max([_width(h)] + [_width(row[i]) for row in data]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    print(line(headers))
    for row in data:
        print(line(row))
    if not data:
        print("（无）")


def fail(exc: BaseException) -> int:
    if isinstance(exc, NotFound):
        message = exc.message
    elif isinstance(exc, DomainError):
        message = exc.message
    else:
        message = str(exc)
    print(f"错误：{message}", file=sys.stderr)
    return 2
