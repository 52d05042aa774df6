"""Run one command's action: import it, run it (an async one in its own event loop) and turn
the errors a person can act on into a message and an exit code, never a stack trace."""

from __future__ import annotations

import argparse
import importlib
import inspect
import logging
import sys
from collections.abc import Callable
from typing import Any

from bot.config.load import Settings, SettingsError, load_settings
from review.errors import DomainError

PACKAGE = "bot.cli.actions"


class CliError(Exception):
    """Printed as ``错误：…`` with exit code 2 (no stack trace)."""


def settings_from(args: argparse.Namespace, *, for_service: bool = False) -> Settings:
    """The settings file of ``--settings`` (else ``$NEWMEDIA_SETTINGS``, else settings.toml).
    ``for_service``: the command calls a platform or signs as one, so it needs the secrets."""
    return load_settings(getattr(args, "settings", None), for_service=for_service)


def resolve(module: str, function: str) -> Callable[[argparse.Namespace], Any]:
    found: Callable[[argparse.Namespace], Any] = getattr(
        importlib.import_module(f"{PACKAGE}.{module}"), function
    )
    return found


def run(module: str, function: str, args: argparse.Namespace) -> int:
    # a command answers in its own words (Chinese, one line); the service's log lines (English,
    # for operators) would otherwise reach the terminal through logging's last-resort handler.
    # ``serve`` configures real logging itself.
    if not logging.getLogger().handlers:
        logging.getLogger().addHandler(logging.NullHandler())
    try:
        result = resolve(module, function)(args)
        if inspect.iscoroutine(result):
            # start-up time: asyncio adds ~40 ms of imports (hyperfine, 2026-12-02) that the
            # synchronous actions (`people list`, `check`) never use; async ones have it already
            import asyncio

            result = asyncio.run(result)
        return int(result)
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (CliError, DomainError) as exc:
        return fail(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `newmedia draft list | head`
        sys.stderr.close()
        return 0
    except Exception as exc:
        problem = unreachable(exc)
        if problem is None:
            raise
        print(
            f"错误：数据库不可用（{problem}）。请确认数据库已启动，并检查 settings.toml 的 "
            "[database] url 或环境变量 NEWMEDIA_DATABASE_URL。",
            file=sys.stderr,
        )
        return 2


#: what a database driver raises when it cannot reach or enter the server (named, not imported:
#: ``people list`` and ``check`` load no database library)
_UNREACHABLE = frozenset(
    {
        "sqlalchemy.exc.OperationalError",
        "sqlalchemy.exc.InterfaceError",
        "asyncpg.exceptions.InvalidCatalogNameError",
        "asyncpg.exceptions.InvalidPasswordError",
        "asyncpg.exceptions.InvalidAuthorizationSpecificationError",
        "asyncpg.exceptions.CannotConnectNowError",
        "asyncpg.exceptions.TooManyConnectionsError",
        "socket.gaierror",
    }
)


def unreachable(exc: BaseException) -> str | None:
    """Why the database could not be reached, in a line without the URL (it may hold a
    password), or None when ``exc`` is something else (then the stack trace is a bug report)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        if isinstance(current, BrokenPipeError):  # our reader went away, not the database
            return None
        if isinstance(current, ConnectionError | TimeoutError) or (
            f"{kind.__module__}.{kind.__qualname__}" in _UNREACHABLE
        ):
            first = str(current).splitlines()[0] if str(current) else ""
            return f"{kind.__name__}: {first[:200]}" if first else kind.__name__
        current = current.__cause__ or current.__context__
    return None


def fail(exc: BaseException) -> int:
    message = exc.message if isinstance(exc, DomainError) else str(exc)
    print(f"错误：{message}", file=sys.stderr)
    return 2
