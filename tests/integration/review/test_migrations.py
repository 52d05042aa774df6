"""The single Alembic history builds exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from bot import migrate
from review.db import create_engine
from review.models import Base


@pytest.mark.pg
async def test_upgrade_matches_models(db_url: str) -> None:
    with pytest.raises(migrate.SchemaOutdated, match="newmedia db upgrade"):
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
