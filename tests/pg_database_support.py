"""A whole PostgreSQL database of its own for a test (not a schema in ``test``): what production
has, for ``db upgrade`` on an empty database and for ``pg_dump`` / ``pg_restore`` round trips."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

#: the test server, as in conftest.py
PG_URL = os.environ.get("NEWMEDIA_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


@asynccontextmanager
async def fresh_database(password: str | None = None) -> AsyncIterator[str]:
    """A uniquely named empty database on the test server, dropped afterwards; its URL in the
    plain ``postgresql://`` form an operator writes (with ``password``, which the test server
    ignores: it trusts local connections)."""
    name = "nm_" + uuid.uuid4().hex[:12]
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = make_url(PG_URL).set(drivername="postgresql", database=name, password=password)
    try:
        yield base.render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
