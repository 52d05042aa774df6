"""``newmedia db backup`` / ``db restore``: a round trip on SQLite and on PostgreSQL brings back
the data as it was at backup time with its audit chain intact, and every refusal says why."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from app_support import run_cli
from pg_database_support import fresh_database
from publishing_support import FakeChannel, seed
from sqlalchemy import select, text

from bot.backup.problems import masked
from review.db import SessionFactory, create_engine, session_factory
from review.models import AuditEvent, Publication, utcnow
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher
from review.store import audit

ROOT = Path(__file__).resolve().parents[3]
#: never valid: the test server trusts local connections; it must never be printed
PASSWORD = "sekrit-pw"


async def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    # the command runs its own event loop, as from a shell
    return await asyncio.to_thread(
        run_cli, capsys, "--settings", str(ROOT / "settings.toml"), *argv
    )


@pytest.fixture
async def database(
    db_backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    """An empty database the commands reach through NEWMEDIA_DATABASE_URL, as in production:
    a SQLite file, or a PostgreSQL database of its own (pg_restore works on whole databases)."""
    if db_backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'var' / 'newmedia.db'}"
        monkeypatch.setenv("NEWMEDIA_DATABASE_URL", url)
        yield url
        return
    async with fresh_database(PASSWORD) as url:
        monkeypatch.setenv("NEWMEDIA_DATABASE_URL", url)
        yield url


async def append_events(url: str, first: int, count: int) -> None:
    engine = create_engine(url)
    try:
        for i in range(first, first + count):
            async with session_factory(engine).begin() as s:
                await audit.append(
                    s, actor="li_na", action="test.event", subject_type="t", subject_id=i
                )
    finally:
        await engine.dispose()


async def events(url: str) -> list[int]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as s:
            return list((await s.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq))).all())
    finally:
        await engine.dispose()


@pytest.mark.pg
async def test_a_restore_brings_back_the_data_as_backed_up(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await cli(capsys, "db", "upgrade"))[0] == 0
    await append_events(database, 1, 5)
    backup = tmp_path / "newmedia.backup"
    code, out, err = await cli(capsys, "db", "backup", str(backup))
    assert (code, err) == (0, "")
    assert out.startswith("已备份 ") and f"到 {backup}" in out
    assert backup.stat().st_size > 0
    # it holds citizens' messages: its owner's alone, whatever the shell's umask
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600

    # after the backup: more events, and the chain broken by a deleted row
    await append_events(database, 6, 3)
    engine = create_engine(database)
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    await engine.dispose()
    assert await events(database) == [1, 3, 4, 5, 6, 7, 8]
    assert (await cli(capsys, "audit", "verify"))[0] == 1

    code, out, err = await cli(capsys, "db", "restore", str(backup))
    assert code == 2 and out == ""
    assert "--force" in err and "请先停止所有 newmedia 服务进程" in err
    assert await events(database) == [1, 3, 4, 5, 6, 7, 8]  # refused: nothing touched

    code, out, err = await cli(capsys, "db", "restore", str(backup), "--force")
    assert (code, err) == (0, "")
    assert out.startswith(f"已从 {backup} 恢复 ")
    assert await events(database) == [1, 2, 3, 4, 5]
    code, out, _ = await cli(capsys, "audit", "verify")
    assert (code, out) == (0, "审计日志完整：共 5 条事件，哈希链无断裂\n")
    assert (await cli(capsys, "db", "current"))[0] == 0  # at the head, ready to serve
    # the service goes on from there: the chain continues past the restored rows
    await append_events(database, 6, 1)
    assert (await cli(capsys, "audit", "verify"))[0] == 0


@pytest.mark.pg_only
async def test_a_restore_is_refused_while_anything_else_is_connected_to_the_database(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A replica still running would go on writing into the restored data: --force or not."""
    assert (await cli(capsys, "db", "upgrade"))[0] == 0
    await append_events(database, 1, 2)
    backup = tmp_path / "pg.dump"
    assert (await cli(capsys, "db", "backup", str(backup)))[0] == 0
    await append_events(database, 3, 1)
    replica = create_engine(database)
    async with replica.connect() as still_serving:
        await still_serving.execute(text("SELECT 1"))
        code, out, err = await cli(capsys, "db", "restore", str(backup), "--force")
    await replica.dispose()
    assert code == 2 and out == ""
    assert "还有 1 个其他连接" in err and "请先停止所有 newmedia 服务进程" in err
    assert await events(database) == [1, 2, 3]  # refused: nothing touched
    assert (await cli(capsys, "db", "restore", str(backup), "--force"))[0] == 0
    assert await events(database) == [1, 2]


@pytest.mark.pg_only
async def test_postgres_messages_never_carry_the_password(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert PASSWORD in database
    assert (await cli(capsys, "db", "upgrade"))[0] == 0
    backup = tmp_path / "pg.dump"
    _, out, err = await cli(capsys, "db", "backup", str(backup))
    assert backup.read_bytes().startswith(b"PGDMP")  # pg_dump --format=custom
    assert ":***@" in out
    _, out2, err2 = await cli(capsys, "db", "restore", str(backup))
    assert ":***@" in err2
    assert PASSWORD not in out + err + out2 + err2


def _fake_tool(folder: Path, name: str, version: str) -> None:
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n", encoding="utf-8")
    script.chmod(0o755)


@pytest.mark.pg_only
async def test_pg_dump_missing_or_older_than_the_server_is_refused_in_chinese(
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert (await cli(capsys, "db", "upgrade"))[0] == 0
    tools = tmp_path / "bin"
    tools.mkdir()
    monkeypatch.setenv("PATH", str(tools))
    code, _, err = await cli(capsys, "db", "backup", str(tmp_path / "a.dump"))
    assert code == 2 and err.startswith("错误：找不到 pg_dump：请安装")
    _fake_tool(tools, "pg_dump", "9.6.24")
    code, _, err = await cli(capsys, "db", "backup", str(tmp_path / "a.dump"))
    assert code == 2 and "pg_dump 的版本 9 低于数据库服务器的版本" in err
    assert not (tmp_path / "a.dump").exists()


@pytest.mark.pg_only
async def test_a_postgres_backup_at_another_migration_goes_to_a_new_database(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await cli(capsys, "db", "upgrade"))[0] == 0
    backup = tmp_path / "pg.dump"
    assert (await cli(capsys, "db", "backup", str(backup)))[0] == 0
    engine = create_engine(database)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    await engine.dispose()
    code, _, err = await cli(capsys, "db", "restore", str(backup), "--force")
    assert code == 2 and "请恢复到一个新建的空数据库" in err


# ---- SQLite: what a restore refuses, and a backup taken while a writer is busy


def _sqlite_file(path: Path, revision: str | None) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
        if revision is not None:
            conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
            conn.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    return path


async def test_restore_refuses_what_is_not_a_newmedia_database_at_a_known_migration(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await cli(capsys, "db", "upgrade"))[0] == 0
    before = await events(database)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("不是数据库", encoding="utf-8")
    cases = {
        text_file: "不是 SQLite 数据库文件",
        _sqlite_file(tmp_path / "other.db", None): "不是 newmedia 数据库（没有 alembic_version",
        _sqlite_file(tmp_path / "future.db", "9999"): "迁移版本 9999 不是本程序认识的版本",
        tmp_path / "missing.db": "找不到备份文件",
    }
    for path, reason in cases.items():
        code, out, err = await cli(capsys, "db", "restore", str(path), "--force")
        assert code == 2 and out == "" and reason in err, (path, err)
    assert await events(database) == before


async def test_backup_does_not_overwrite_a_file_unless_forced(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await cli(capsys, "db", "upgrade"))[0] == 0
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"keep")
    code, _, err = await cli(capsys, "db", "backup", str(taken))
    assert code == 2 and "已存在" in err and taken.read_bytes() == b"keep"
    assert (await cli(capsys, "db", "backup", str(taken), "--force"))[0] == 0
    assert taken.read_bytes().startswith(b"SQLite format 3\x00")


async def test_a_sqlite_backup_is_taken_while_a_writer_holds_its_transaction(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The service may be writing: the backup neither waits for it nor copies half of it."""
    assert (await cli(capsys, "db", "upgrade"))[0] == 0
    await append_events(database, 1, 2)
    engine = create_engine(database)
    backup = tmp_path / "online.db"
    try:
        async with session_factory(engine).begin() as s:  # BEGIN IMMEDIATE: the write lock
            await audit.append(
                s, actor="li_na", action="test.event", subject_type="t", subject_id=3
            )
            code, _, err = await cli(capsys, "db", "backup", str(backup))
            assert (code, err) == (0, "")
    finally:
        await engine.dispose()
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT seq FROM audit_events ORDER BY seq").fetchall() == [(1,), (2,)]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert await events(database) == [1, 2, 3]


# ---- a restore never lets a post that went out after the backup go out again


async def publish_once(sf: SessionFactory, ch: FakeChannel) -> None:
    """One publisher tick over everything due (it returns once its calls are recorded)."""
    config = PublishingConfig(lease_seconds=10, max_attempts=3)
    await Publisher(sf, {ch.account_key: ch}, config).publish_due()


async def publications(url: str) -> dict[int, Publication]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as s:
            return {p.id: p for p in (await s.scalars(select(Publication))).all()}
    finally:
        await engine.dispose()


@pytest.mark.pg
async def test_a_post_sent_after_the_backup_is_checked_on_the_platform_not_sent_again(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await cli(capsys, "db", "upgrade"))[0] == 0
    engine = create_engine(database)
    sf = session_factory(engine)
    ch = FakeChannel("ccmz_wechat")  # the platform: it remembers what it published
    try:
        [sent] = (
            await seed(sf, 1, due_at=utcnow() - timedelta(minutes=5), title="已发")
        ).publication_ids
        [later] = (
            await seed(sf, 1, due_at=utcnow() + timedelta(days=1), title="明天")
        ).publication_ids
        backup = tmp_path / "night.backup"
        assert (await cli(capsys, "db", "backup", str(backup)))[0] == 0  # ``sent`` still scheduled
        await publish_once(sf, ch)
        assert ch.calls == 1
    finally:
        await engine.dispose()
    assert (await publications(database))[sent].status == "published"

    code, out, err = await cli(capsys, "db", "restore", str(backup), "--force")
    assert (code, err) == (0, "")
    assert "已将 1 条发布标记为待核对" in out and f"#{sent} ccmz_wechat 到期 " in out
    assert "已发1" in out and "明天" not in out
    rows = await publications(database)
    assert rows[sent].status == "scheduled"  # as the backup had it
    assert rows[sent].receipt_extra.get("ambiguous") == "1"
    assert rows[sent].last_error == "数据库已从备份恢复：发布前先到平台核对，避免重复发布"
    assert "ambiguous" not in rows[later].receipt_extra  # not due yet: it cannot have gone out

    engine = create_engine(database)
    try:
        await publish_once(session_factory(engine), ch)
    finally:
        await engine.dispose()
    assert (ch.calls, ch.checks) == (1, 1)  # looked for on the platform, never published again
    assert ch.published.total() == 1
    assert (await publications(database))[sent].status == "published"


async def test_a_restore_with_nothing_due_flags_nothing(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await cli(capsys, "db", "upgrade"))[0] == 0
    backup = tmp_path / "empty.backup"
    assert (await cli(capsys, "db", "backup", str(backup)))[0] == 0
    code, out, _ = await cli(capsys, "db", "restore", str(backup), "--force")
    assert code == 0 and "无需核对" in out


# ---- a backup never writes over the live database


async def test_a_backup_onto_the_live_sqlite_file_or_its_wal_is_refused(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await cli(capsys, "db", "upgrade"))[0] == 0
    await append_events(database, 1, 2)
    live = tmp_path / "var" / "newmedia.db"
    (tmp_path / "var" / "link.db").symlink_to(live)
    for target in ("newmedia.db", "newmedia.db-wal", "newmedia.db-shm", "link.db", "./newmedia.db"):
        code, out, err = await cli(
            capsys, "db", "backup", str(tmp_path / "var" / target), "--force"
        )
        assert code == 2 and out == "", target
        assert "是正在使用的数据库" in err and "请换一个文件名" in err, target
    assert await events(database) == [1, 2]


# ---- a password typed with a raw ``@`` is never shown, not even its tail


RAW_AT = "postgresql://nobody:S3cret@PW@127.0.0.1/nodb"


def test_a_password_with_a_raw_at_is_masked_up_to_the_last_at() -> None:
    assert masked(RAW_AT) == "postgresql://nobody:***@127.0.0.1/nodb"
    assert (
        masked("postgresql://u:a/b@c@db.internal:5433/nm")
        == "postgresql://u:***@db.internal:5433/nm"
    )
    assert masked("sqlite:////srv/a@b/newmedia.db") == "sqlite:////srv/a@b/newmedia.db"


async def test_doctor_and_backup_never_print_any_part_of_a_password_with_a_raw_at(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWMEDIA_DATABASE_URL", RAW_AT)
    code, out, err = await cli(capsys, "doctor")
    assert code == 1 and "PostgreSQL 127.0.0.1:5432/nodb" in out, out + err
    said = out + err
    for argv in (
        ("db", "backup", str(tmp_path / "a.dump")),
        ("db", "restore", str(tmp_path / "a.dump")),
    ):
        said += "".join((await cli(capsys, *argv))[1:])
    assert "S3cret" not in said and "PW" not in said
