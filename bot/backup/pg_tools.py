"""PostgreSQL backups through ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists``.

The tools get the connection from libpq's environment (``PGHOST``, ``PGUSER``, ``PGPASSWORD``
…), never from their command line: a password there would show in ``ps`` to every user of the
machine. Only the database name is passed as an argument (``pg_restore`` needs ``--dbname``).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.backup import private_partial
from bot.backup.problems import BackupError
from review.db import normalise_url

#: the first bytes of a ``pg_dump --format=custom`` archive
MAGIC = b"PGDMP"
INSTALL_HINT = (
    "请安装与数据库服务器同一主版本（或更新）的 PostgreSQL 客户端，"
    "例如 Debian：apt-get install postgresql-client"
)
_VERSION = re.compile(r"\)\s*(\d+)(?:\.\d+)?")
#: URL query parameters libpq understands under another name; anything else is refused
_QUERY_ENV = {"host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "ssl": "PGSSLMODE"}


def libpq_env(url: str) -> dict[str, str]:
    """The environment for the PostgreSQL tools: the process's own plus the URL's parts."""
    parsed = make_url(normalise_url(url))
    env = dict(os.environ)  # PGPASSFILE, PGSSLROOTCERT … still apply; the URL's parts win
    parts = {
        "PGHOST": parsed.host,
        "PGPORT": None if parsed.port is None else str(parsed.port),
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": parsed.database,
    }
    env.update({k: str(v) for k, v in parts.items() if v})
    for name, value in parsed.query.items():
        if name not in _QUERY_ENV:
            raise BackupError(
                f"数据库地址中的参数 {name} 不能用于 pg_dump / pg_restore："
                "请用只含主机、端口、用户、密码和库名的地址（可加 sslmode）"
            )
        env[_QUERY_ENV[name]] = str(value if isinstance(value, str) else value[-1])
    if not parsed.database:
        raise BackupError("数据库地址中没有库名（postgresql://用户@主机:端口/库名）")
    return env


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"找不到 {name}：{INSTALL_HINT}")
    return found


def major_version(executable: str) -> int:
    """``pg_dump (PostgreSQL) 15.20 (Debian …)`` → 15."""
    argv = [executable, "--version"]  # the tool found on PATH, no input of the user's
    done = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
    found = _VERSION.search(done.stdout)
    if done.returncode != 0 or found is None:
        raise BackupError(f"无法读取 {executable} 的版本：{INSTALL_HINT}")
    return int(found.group(1))


async def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run, argv, env=env, capture_output=True, text=True, check=False
    )


def _failure(what: str, stderr: str) -> BackupError:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    text = "\n".join(lines[-5:])
    if "version mismatch" in text or "unsupported version" in text:
        return BackupError(f"{what}与数据库服务器或备份文件的版本不匹配：{INSTALL_HINT}\n{text}")
    return BackupError(f"{what}失败：\n{text}")


async def dump(url: str, dest: Path, server_major: int) -> None:
    """``pg_dump --format=custom`` into ``dest`` (written beside it first, then renamed)."""
    env = libpq_env(url)
    pg_dump = tool("pg_dump")
    client = major_version(pg_dump)
    if client < server_major:
        raise BackupError(
            f"pg_dump 的版本 {client} 低于数据库服务器的版本 {server_major}，无法备份：{INSTALL_HINT}"
        )
    partial = private_partial(dest)
    try:
        done = await _run([pg_dump, "--format=custom", f"--file={partial}"], env)
        if done.returncode != 0:
            raise _failure("pg_dump ", done.stderr)
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)


async def revision_in(archive: Path) -> str | None:
    """The migration a dump records: the ``alembic_version`` row, read from the archive
    without touching any database (None: the archive has no such table)."""
    with archive.open("rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{archive} 不是 pg_dump --format=custom 生成的备份文件")
    argv = [tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(archive)]
    done = await _run(argv, dict(os.environ))
    if done.returncode != 0:
        raise _failure("读取备份文件 ", done.stderr)
    lines = done.stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and i + 1 < len(lines):
            value = lines[i + 1].strip()
            return None if value in ("", "\\.") else value
    return None


async def restore(url: str, archive: Path) -> None:
    """``pg_restore --clean --if-exists`` in one transaction: all of it, or nothing."""
    env = libpq_env(url)
    argv = [
        tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={env['PGDATABASE']}",
        str(archive),
    ]
    done = await _run(argv, env)
    if done.returncode != 0:
        raise _failure("pg_restore ", done.stderr)
