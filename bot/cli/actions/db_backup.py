"""``newmedia db backup FILE`` / ``db restore FILE [--force]`` for the configured database.

A backup may be taken while the service runs. A restore replaces everything: it refuses to
overwrite a newmedia database without ``--force``, accepts only a file that is a newmedia
database at a migration this code knows, and reminds the operator to stop the service first.
A backup never writes over the live SQLite database (or its ``-wal`` / ``-shm``). After a
restore, every post the backup holds as due but unsent is flagged to be checked on the platform
before any send (``review.store.restore_flags``): it may have gone out since the backup.
Nothing printed carries the database password (``bot.backup.problems.masked``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot import migrate
from bot.backup import pg_tools, sqlite_copy
from bot.backup.problems import STOP_FIRST, BackupError, masked, revision_problem
from bot.cli.actions.runner import CliError, settings_from
from review.db import create_engine, is_memory_sqlite, is_sqlite, normalise_url, session_factory
from review.models import utcnow
from review.store.restore_flags import Flagged, flag_after_restore
from review.timefmt import fmt


def _sqlite_path(url: str) -> Path:
    if is_memory_sqlite(url):
        raise CliError("内存数据库没有可备份或恢复的文件：请在设置中使用数据库文件或 PostgreSQL")
    return Path(str(make_url(normalise_url(url)).database))


async def _pg_facts(url: str) -> tuple[int, str | None]:
    """The server's major version and the migration the database records."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            number = int(await conn.scalar(text("SHOW server_version_num")) or 0)
    finally:
        await engine.dispose()
    return number // 10000, await migrate.current_revision(url)


def _refuse_live(url: str, dest: Path) -> None:
    """A backup onto the live SQLite file (or its -wal / -shm) would replace the database under
    the running service: refused, --force or not (symlinks and ``..`` resolved)."""
    if not is_sqlite(url) or is_memory_sqlite(url):
        return
    live = _sqlite_path(url).resolve()
    if dest.resolve() in {
        live,
        live.with_name(f"{live.name}-wal"),
        live.with_name(f"{live.name}-shm"),
    }:
        raise CliError(
            f"{dest} 是正在使用的数据库（{live}）或它的 -wal / -shm 文件：备份写到这里会替换"
            "服务正在读写的数据库，加 --force 也不行。请换一个文件名"
        )


def _destination(args: argparse.Namespace, url: str) -> Path:
    dest = Path(args.file)
    _refuse_live(url, dest)
    if dest.exists() and not args.force:
        raise CliError(f"{dest} 已存在：请换一个文件名，或加 --force 覆盖它")
    if not dest.parent.is_dir():
        raise CliError(f"目录 {dest.parent} 不存在")
    return dest


def _backup_sqlite(url: str, dest: Path) -> str | None:
    source = _sqlite_path(url)
    if not source.is_file():
        raise CliError(f"数据库文件 {source} 不存在，没有可备份的内容")
    found = sqlite_copy.revision_of(source)
    sqlite_copy.backup(source, dest)
    return found


def _backed_up(url: str, dest: Path, found: str | None) -> None:
    size = dest.stat().st_size
    print(f"已备份 {masked(url)} 到 {dest}（迁移版本 {found or '无'}，{size} 字节）")


async def backup(args: argparse.Namespace) -> int:
    url = settings_from(args).database_url
    dest = _destination(args, url)
    try:
        if is_sqlite(url):
            found = _backup_sqlite(url, dest)
        else:
            server, found = await _pg_facts(url)
            await pg_tools.dump(url, dest, server)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    _backed_up(url, dest, found)
    return 0


def _backup_file(args: argparse.Namespace) -> Path:
    archive = Path(args.file)
    if not archive.is_file():
        raise CliError(f"找不到备份文件 {archive}")
    return archive


async def restore(args: argparse.Namespace) -> int:
    url = settings_from(args).database_url
    archive = _backup_file(args)
    try:
        if is_sqlite(url):
            found = _restore_sqlite(url, archive, force=args.force)
        else:
            found = await _restore_pg(url, archive, force=args.force)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    print(f"已从 {archive} 恢复 {masked(url)}（迁移版本 {found}）")
    _report_flagged(await _flag_unsure(url))
    if found != migrate.head_revision():
        print("备份的迁移版本早于本程序：启动服务前请先运行 newmedia db upgrade")
    print("请运行 newmedia audit verify 核对审计日志，然后再启动服务")
    return 0


def _checked(found: str | None, archive: Path) -> str:
    problem = revision_problem(found, migrate.known_revisions(), f"备份文件 {archive} ")
    if problem or found is None:
        raise CliError(problem or "")
    return found


def _restore_sqlite(url: str, archive: Path, *, force: bool) -> str:
    found = _checked(sqlite_copy.revision_of(archive), archive)
    target = _sqlite_path(url)
    if target.resolve() == archive.resolve():
        raise CliError("备份文件就是当前数据库文件本身")
    if target.is_file() and target.stat().st_size > 0 and not force:
        raise CliError(
            f"数据库 {target} 已存在，恢复会替换它的全部内容。{STOP_FIRST}，确认后加 --force"
        )
    sqlite_copy.restore(archive, target)
    return found


async def _others_connected(url: str) -> int:
    """Other sessions on the database: a replica still running (or any other program)."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            found = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await engine.dispose()
    return int(found or 0)


async def _restore_pg(url: str, archive: Path, *, force: bool) -> str:
    found = _checked(await pg_tools.revision_in(archive), archive)
    others = await _others_connected(url)
    if others:  # --force or not: the replicas would go on writing into the restored data
        raise CliError(
            f"数据库 {masked(url)} 还有 {others} 个其他连接（newmedia 服务或其他程序仍在使用它）："
            f"{STOP_FIRST}，然后再恢复"
        )
    current = await migrate.current_revision(url)
    if current is not None and not force:
        raise CliError(
            f"数据库 {masked(url)} 已有 newmedia 数据（迁移版本 {current}），恢复会替换它的全部内容。"
            f"{STOP_FIRST}，确认后加 --force"
        )
    if current is not None and current != found:
        # --clean drops only what the archive holds: tables of other migrations would stay
        raise CliError(
            f"备份的迁移版本 {found} 与数据库当前的 {current} 不同：请恢复到一个新建的空数据库"
            "（createdb），再把 NEWMEDIA_DATABASE_URL 指向它"
        )
    await pg_tools.restore(url, archive)
    return found


async def _flag_unsure(url: str) -> list[Flagged]:
    """The restore's follow-up, in one transaction: due-but-unsent rows are checked, not resent."""
    engine = create_engine(url, pool_size=1)
    try:
        async with session_factory(engine).begin() as s:
            return await flag_after_restore(s, utcnow())
    except Exception as exc:  # the data is back but unflagged: the service must not start
        raise CliError(
            f"数据已恢复，但标记待核对的发布失败（{type(exc).__name__}）：请不要启动服务，"
            "排除问题后加 --force 重新运行这条恢复命令"
        ) from None
    finally:
        await engine.dispose()


def _report_flagged(flagged: list[Flagged]) -> None:
    if not flagged:
        print("备份中没有到期未发或正在发布的内容，无需核对")
        return
    print(
        f"已将 {len(flagged)} 条发布标记为待核对（备份之后它们可能已经发出）："
        "服务启动后会先到平台按发布标识核对，找到的记为已发布，找不到的转人工处理，不会直接重发"
    )
    for f in flagged:
        print(f"  #{f.id} {f.account} 到期 {fmt(f.due_at)}（北京时间）{f.title}")
