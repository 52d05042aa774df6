"""The doctor's I/O: load the settings, connect to the database, ask each platform's base once.

Settings and secrets come from ``bot.config`` (the rules and their wording live there); the
secrets' problems are told apart by asking ``read_secrets`` the way a command does and the way
the service does. The database and the platforms each get a short timeout; nothing is written,
no token is fetched, nothing is published, and a missing SQLite file is not created.
"""

from __future__ import annotations

import asyncio
import time
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Literal

import aiohttp
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot import migrate
from bot.backup.problems import masked
from bot.config.env_secrets import read_secrets
from bot.config.load import (
    DATABASE_SCHEME,
    SettingsError,
    SettingsNotFound,
    database_url,
    load_settings,
)
from bot.config.schema import SettingsFile
from bot.doctor.covers import gather_covers
from bot.doctor.facts import (
    ClockReading,
    DatabaseFacts,
    DbError,
    Facts,
    SecretFacts,
    ServiceFacts,
    SettingsFacts,
)
from bot.doctor.probes import probe, probe_targets, sandbox_in_production
from review.db import create_engine, is_sqlite, normalise_url


def _parsed(path: Path) -> SettingsFile | None:
    """The file in the schema even when cross-checks or secrets failed (``load_settings`` has
    said why; None: it does not parse, and nothing more can be checked)."""
    try:
        return SettingsFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValidationError):
        return None


def _secrets(f: SettingsFile, env: Mapping[str, str]) -> SecretFacts:
    as_command: list[str] = []
    read_secrets(f, env, for_service=False, problems=as_command)
    as_service: list[str] = []
    malformed: list[str] = []
    read_secrets(f, env, for_service=True, problems=as_service, malformed=malformed)
    sandboxed = [a.sandbox for a in f.accounts] + [w.sandbox for w in f.wecom_apps]
    unchecked = 0 if f.sandbox.enabled else sum(sandboxed)
    return SecretFacts(
        demo=f.sandbox.enabled,
        missing=tuple(p for p in as_service if p not in as_command and p not in malformed),
        values=tuple(p for p in as_command if p not in malformed),
        checked=len(f.accounts) + len(f.wecom_apps) - unchecked,
        malformed=tuple(malformed),
        unchecked=unchecked,
    )


def gather_settings(path_arg: str | None, env: Mapping[str, str]) -> tuple[Facts, str | None]:
    """Settings, secrets, the service's address and the bases to ask; and the database URL
    (None when there is none to try). The URL stays out of the facts: it may hold a password."""
    parsed: SettingsFile | None
    problems: list[str] = []
    try:
        settings = load_settings(path_arg, env, for_service=True)
        path, parsed = settings.path, settings.file
    except SettingsNotFound as exc:
        return Facts(SettingsFacts(str(exc.path), found=False, parsed=False, problems=())), None
    except SettingsError as exc:
        path, problems, parsed = exc.path, exc.problems, _parsed(exc.path)
    if parsed is None:
        return Facts(SettingsFacts(str(path), True, False, tuple(problems))), None
    secrets = _secrets(parsed, env)
    theirs = set(secrets.missing) | set(secrets.values) | set(secrets.malformed)
    facts = SettingsFacts(
        str(path),
        found=True,
        parsed=True,
        problems=tuple(p for p in problems if p not in theirs),
        demo=parsed.sandbox.enabled,
        accounts=len(parsed.accounts),
        wecom_apps=len(parsed.wecom_apps),
    )
    service = ServiceFacts(
        demo=parsed.sandbox.enabled,
        public_url=parsed.service.public_url,
        trusted_proxies=parsed.service.trusted_proxies,
        timestamp_window_s=parsed.inbox.timestamp_window_seconds,
    )
    url = database_url(parsed, env, path)
    usable = bool(DATABASE_SCHEME.match(url))
    gathered = Facts(
        facts,
        secrets,
        service,
        probes=probe_targets(parsed),
        database_unusable=not usable,
        covers=gather_covers(parsed, Path(path), env),
        sandbox_in_production=sandbox_in_production(parsed),
    )
    return gathered, url if usable else None


#: the driver's exceptions by what they mean (named, not imported: asyncpg may be absent)
_DB_ERRORS: dict[str, DbError] = {
    "asyncpg.exceptions.InvalidPasswordError": "auth",
    "asyncpg.exceptions.InvalidAuthorizationSpecificationError": "auth",
    "asyncpg.exceptions.InvalidCatalogNameError": "unknown_database",
    "socket.gaierror": "dns",
}


def _first_line(exc: BaseException) -> str:
    """The message's first line — dropped when it quotes an address (a URL parser's error
    repeats the URL, password and all)."""
    said = str(exc).splitlines()[0][:200] if str(exc) else ""
    return "" if "://" in said or "@" in said else said


def classify(exc: BaseException) -> tuple[DbError, str]:
    """What kind of failure, and the driver's first line (never one holding the URL)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        found = _DB_ERRORS.get(f"{kind.__module__}.{kind.__qualname__}")
        if found is None and isinstance(current, ConnectionRefusedError):
            found = "refused"
        if found is None and isinstance(current, TimeoutError):
            found = "timeout"
        if found is None and "unable to open database file" in str(current):
            found = "cannot_open"
        if found is not None:
            return found, _first_line(current) or kind.__name__
        current = current.__cause__ or current.__context__
    first = _first_line(exc)
    return "other", f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _where(url: str) -> str | None:
    """The file, or host:port/database; None when the URL does not parse. Parsed once masked:
    a password with a raw ``@`` would otherwise be read as part of the host and shown."""
    try:
        parsed = make_url(normalise_url(masked(url)))
    except (ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


def _names(url: str) -> tuple[str, str]:
    """The database and the user a PostgreSQL URL names ("" when it names none)."""
    try:
        parsed = make_url(normalise_url(masked(url)))
    except (ArgumentError, ValueError):
        return "", ""
    return parsed.database or "", parsed.username or ""


def _sqlite_exists(where: str) -> bool:
    """Looked at, not opened: connecting would create the file (and its folder)."""
    return where == ":memory:" or Path(where).exists()


async def _database_clock(url: str) -> ClockReading:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            before = time.time()
            now = await conn.scalar(text("SELECT now()"))
            after = time.time()
    finally:
        await engine.dispose()
    if not isinstance(now, datetime):
        raise TypeError(f"SELECT now() gave {type(now).__name__}")
    offset = now.timestamp() - (before + after) / 2
    return ClockReading("数据库服务器", offset, (after - before) / 2 + 0.01, kind="database")


async def gather_database(url: str, limit_s: float) -> DatabaseFacts:
    """Connect, read its clock (PostgreSQL: SQLite's is this machine's) and its revision."""
    head, known = migrate.head_revision(), migrate.known_revisions()
    where = _where(url)
    if where is None:  # the scheme is right (``load_settings`` checked it), the rest is not
        kind_of: Literal["sqlite", "postgresql"] = (
            "sqlite" if url.startswith("sqlite") else "postgresql"
        )
        return DatabaseFacts(kind_of, "（地址无法解析）", True, "other", "", head=head)
    kind: Literal["sqlite", "postgresql"] = "sqlite" if is_sqlite(url) else "postgresql"
    if kind == "sqlite" and not _sqlite_exists(where):
        return DatabaseFacts(kind, where, exists=False, head=head)
    clock = None
    try:
        async with asyncio.timeout(limit_s):
            if kind == "postgresql":
                clock = await _database_clock(url)
            current = await migrate.current_revision(url)
    except Exception as exc:  # every failure is a finding, classified (or "other")
        error, said = classify(exc)
        name, user = _names(url) if kind == "postgresql" else ("", "")
        return DatabaseFacts(
            kind, where, True, error, said, head=head, known=known, name=name, user=user
        )
    return DatabaseFacts(kind, where, True, current=current, head=head, known=known, clock=clock)


async def gather(path_arg: str | None, env: Mapping[str, str], limit_s: float) -> Facts:
    """Everything the rules look at; the database and the platforms are asked at once."""
    facts, url = gather_settings(path_arg, env)
    if not facts.settings.parsed:
        return facts
    database = asyncio.ensure_future(gather_database(url, limit_s)) if url else None
    async with aiohttp.ClientSession() as http:
        probes = await asyncio.gather(*(probe(http, p, limit_s) for p in facts.probes))
    return replace(facts, database=await database if database else None, probes=tuple(probes))
