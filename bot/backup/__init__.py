"""``newmedia db backup`` / ``db restore``: SQLite through its online backup API, PostgreSQL
through ``pg_dump`` / ``pg_restore`` (``bot.cli.actions.db_backup`` chooses by the URL).

A backup holds citizens' messages and staff data: it is written private to its owner (0600),
whatever the shell's umask, beside its final name first and renamed when complete."""

from __future__ import annotations

import os
from pathlib import Path


def private_partial(dest: Path) -> Path:
    """A new, empty file beside ``dest`` that only its owner may read (``FILE.partial``)."""
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return partial
