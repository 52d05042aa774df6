"""What an operator reads when the database's schema does not match the code (``serve`` prints
it after 「错误：」): Chinese, and the right fix for a database behind or ahead of the code."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot import migrate


async def test_a_database_never_upgraded_says_run_db_upgrade(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    sqlite3.connect(db).close()
    with pytest.raises(migrate.SchemaOutdated) as outdated:
        await migrate.require_current(f"sqlite:///{db}")
    head = migrate.head_revision()
    assert str(outdated.value) == (
        f"数据库结构版本为 无，本程序需要 {head}：请先运行 newmedia db upgrade"
    )


async def test_a_database_newer_than_the_code_says_not_to_downgrade(tmp_path: Path) -> None:
    db = tmp_path / "newer.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES ('9999')")
    conn.close()
    with pytest.raises(migrate.SchemaOutdated) as outdated:
        await migrate.require_current(f"sqlite:///{db}")
    said = str(outdated.value)
    assert said.startswith("数据库结构版本为 9999，比本程序新") and "不要降级数据库" in said
    assert "db upgrade" not in said
