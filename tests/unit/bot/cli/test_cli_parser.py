"""The command line's parser: every command names an action that exists, and building the
parser (all ``--help`` needs) imports none of the heavy libraries the actions use."""

from __future__ import annotations

import argparse
import subprocess
import sys

from bot.cli import build_parser
from bot.cli.actions.runner import resolve
from bot.cli.lazy import Lazy

HEAVY = ("sqlalchemy", "aiohttp", "alembic", "jieba", "pydantic", "asyncio")


def _handlers(parser: argparse.ArgumentParser, path: str = "") -> dict[str, object]:
    found: dict[str, object] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= _handlers(sub, f"{path} {name}".strip())
    if not found:
        found[path] = parser.get_default("handler")
    return found


def test_every_command_names_an_action_that_exists() -> None:
    handlers = _handlers(build_parser())
    assert {"draft new", "people list", "token issue", "db upgrade", "review approve"} <= set(
        handlers
    )
    for command, handler in handlers.items():
        assert isinstance(handler, Lazy), command
        assert callable(resolve(handler.module, handler.function)), command


def test_the_parser_loads_no_heavy_library() -> None:
    probe = (
        "import sys; import bot.cli; bot.cli.build_parser(); "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_people_list_loads_no_database_library() -> None:
    probe = (
        "import sys; import bot.cli.actions.people, bot.cli.actions.runner; "
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'aiohttp', 'jieba') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_database_listings_load_neither_alembic_nor_the_gate() -> None:
    """A listing reads the database: it needs SQLAlchemy, but not Alembic (the schema check
    reads the revision without it), the gate with jieba, nor aiohttp (it calls no platform)."""
    probe = (
        "import sys; import bot.cli.actions.publications, bot.cli.actions.draft, "
        "bot.cli.actions.runner, bot.cli.actions.common; "
        "print(sorted(m for m in ('alembic', 'jieba', 'aiohttp', 'review.checks') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
