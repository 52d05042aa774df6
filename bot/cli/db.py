"""``newmedia db upgrade|current|backup|restore``: Alembic migrations, the directory mirrored
from settings, and backups."""

from __future__ import annotations

import argparse

from bot.cli.lazy import lazy

UPGRADE_HELP = (
    "apply all migrations, then mirror departments, people and accounts from the settings file "
    "into the database (run it after editing them; `serve` does the same at start-up)"
)

BACKUP_HELP = (
    "copy the database into FILE while the service runs (SQLite: the online backup API; "
    "PostgreSQL: pg_dump --format=custom)"
)
RESTORE_HELP = (
    "replace the database with a backup (stop the service first; SQLite: the backup API; "
    "PostgreSQL: pg_restore --clean --if-exists); then every post due or publishing in it is "
    "flagged to be checked on the platform before anything is sent (never published twice)"
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
    b = dsub.add_parser("backup", help=BACKUP_HELP, description=BACKUP_HELP)
    b.add_argument("file", metavar="FILE", help="the backup file to write")
    b.add_argument(
        "--force", action="store_true", help="overwrite FILE if it exists (never the live database)"
    )
    b.set_defaults(handler=lazy("db_backup", "backup"))
    r = dsub.add_parser("restore", help=RESTORE_HELP, description=RESTORE_HELP)
    r.add_argument("file", metavar="FILE", help="a file written by `newmedia db backup`")
    r.add_argument(
        "--force", action="store_true", help="replace a database that already holds newmedia data"
    )
    r.set_defaults(handler=lazy("db_backup", "restore"))
