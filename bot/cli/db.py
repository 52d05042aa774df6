"""``newmedia db upgrade|current``: Alembic migrations, and the directory mirrored from settings."""

from __future__ import annotations

import argparse

from bot.cli.lazy import lazy

UPGRADE_HELP = (
    "apply all migrations, then mirror departments, people and accounts from the settings file "
    "into the database (run it after editing them; `serve` does the same at start-up)"
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("db", help="database migrations and the directory from settings")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    dsub.add_parser("upgrade", help=UPGRADE_HELP, description=UPGRADE_HELP).set_defaults(
        handler=lazy("db", "upgrade")
    )
    dsub.add_parser("current", help="show the schema revision").set_defaults(
        handler=lazy("db", "current")
    )
