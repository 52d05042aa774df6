"""The single Alembic history builds exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from bot import migrate
from review.db import create_engine
from review.models import Base


@pytest.mark.pg
async def test_upgrade_matches_models(db_url: str) -> None:
    with pytest.raises(migrate.SchemaOutdated, match="请先运行 newmedia db upgrade"):
        await migrate.require_current(db_url)
    await migrate.upgrade(db_url)
    await migrate.require_current(db_url)
    engine = create_engine(db_url)

    def diff(conn: Connection) -> list[object]:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, Base.metadata))

    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(diff)
    finally:
        await engine.dispose()
    assert differences == []


def test_head_read_from_the_files_is_alembics_head() -> None:
    """The start-up check reads the head without loading Alembic; it must agree with Alembic."""
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert migrate.head_revision() == script.get_current_head()
    assert migrate.head_revision() is not None


@pytest.mark.pg
async def test_current_revision_is_what_alembic_records(db_url: str) -> None:
    assert await migrate.current_revision(db_url) is None  # never upgraded
    await migrate.upgrade(db_url)
    engine = create_engine(db_url)

    def recorded(conn: Connection) -> str | None:
        return MigrationContext.configure(conn).get_current_revision()

    try:
        async with engine.connect() as conn:
            expected = await conn.run_sync(recorded)
    finally:
        await engine.dispose()
    assert expected == migrate.head_revision()
    assert await migrate.current_revision(db_url) == expected
