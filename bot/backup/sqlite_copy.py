"""SQLite copied page by page through its online backup API (``sqlite3.Connection.backup``).

A copy taken while the service runs is consistent: the backup reads one snapshot under
SQLite's own locking (the service's WAL writers go on meanwhile), which copying the file and
its ``-wal`` beside it never guarantees. Restoring goes the same way in the other direction, so
the target's ``-wal`` and ``-shm`` files stay coherent with what was written.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from bot.backup import private_partial
from bot.backup.problems import BackupError

#: the file header every SQLite 3 database starts with
MAGIC = b"SQLite format 3\x00"


def _revision(conn: sqlite3.Connection) -> str | None:
    has = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if not has:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)


def revision_of(path: Path) -> str | None:
    """The migration a database file records (None: not a newmedia database); refuses a file
    that is not SQLite at all."""
    if not path.is_file():
        raise BackupError(f"找不到文件 {path}")
    with path.open("rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{path} 不是 SQLite 数据库文件")
    try:
        with closing(_read_only(path)) as conn:
            return _revision(conn)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} 无法作为 SQLite 数据库读取（{exc}）") from None


def backup(source: Path, dest: Path) -> None:
    """Copy the live database ``source`` into the new file ``dest`` (a single file: its journal
    mode is set back to DELETE, so nothing beside it is needed)."""
    partial = private_partial(dest)
    try:
        with closing(_read_only(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            check = dst.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise BackupError(f"备份文件自检未通过（{check[0] if check else '无结果'}）")
        os.replace(partial, dest)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"SQLite 备份失败（{exc}）") from None
    finally:
        partial.unlink(missing_ok=True)


def restore(backup_file: Path, target: Path) -> None:
    """Replace the content of ``target`` (created if absent) with ``backup_file``'s, pages and
    size alike, in one step under the target's write lock."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            closing(_read_only(backup_file)) as src,
            closing(sqlite3.connect(target, timeout=30)) as dst,
        ):
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # as the service opens it
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise BackupError(
                f"数据库 {target} 正被占用，无法恢复：请先停止所有 newmedia 服务进程"
            ) from None
        raise BackupError(f"SQLite 恢复失败（{exc}）") from None
