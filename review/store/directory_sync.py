"""Mirroring the settings' directory (departments, people, identities, accounts, review chains)
into the database: compare, lock, upsert; never delete everything (``serve``, ``db upgrade``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Table, delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from review.models import Account, Base, Department, Identity, Person, ReviewStage


class DeptSpec(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def head(self) -> str | None: ...
    @property
    def topics(self) -> Sequence[str]: ...


class PersonSpec(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def roles(self) -> Sequence[str]: ...
    @property
    def wecom(self) -> str | None: ...
    @property
    def openid(self) -> str | None: ...


class StageSpec(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def kinds(self) -> Sequence[str]: ...


class AccountSpec(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def review_chain(self) -> Sequence[StageSpec]: ...
    @property
    def platform(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def owner(self) -> str: ...


# arbitrary constant: the directory sync's advisory lock (the audit chain uses 7_301_001)
_PG_DIRECTORY_LOCK = 7_301_002

_Row = dict[str, Any]


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


async def sync_directory(
    session: AsyncSession,
    departments: Iterable[DeptSpec],
    people: Iterable[PersonSpec],
    accounts: Iterable[AccountSpec],
) -> bool:
    """Bring the directory in line with the settings; True when anything was written.

    Several replicas and CLI commands run this at the same moment, so it never deletes and
    re-inserts: it compares first (an unchanged directory costs reads only, no lock, no write),
    then, serialised across processes (PostgreSQL: a transaction-level advisory lock; SQLite:
    the engine's ``BEGIN IMMEDIATE``), compares again and upserts by the natural keys. Rows the
    settings no longer name: people are deactivated (drafts, audit and tokens point at them),
    their identities and dropped review stages are deleted (nothing points at those);
    departments and accounts stay, as other tables point at them.

    Writes are Core statements: ORM objects already loaded in ``session`` are not refreshed.
    """
    want = _Wanted(list(departments), list(people), list(accounts))
    if not await _sync(session, want, write=False):
        return False
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_DIRECTORY_LOCK})
    return await _sync(session, want, write=True)


@dataclass(frozen=True)
class _Wanted:
    """The directory as the settings describe it."""

    departments: list[DeptSpec]
    people: list[PersonSpec]
    accounts: list[AccountSpec]


async def _sync(session: AsyncSession, want: _Wanted, *, write: bool) -> bool:
    """Each step compares what the database holds with the settings and returns the statements
    that close the gap; a step reads the ids the earlier steps wrote."""
    changed = False
    for step in (_departments, _people, _identities, _accounts, _stages):
        statements = await step(session, want)
        if statements and not write:
            return True
        for statement in statements:
            await session.execute(statement)
        changed = changed or bool(statements)
    return changed


def _upsert(session: AsyncSession, table: Table, rows: list[_Row], keys: list[str]) -> Executable:
    """INSERT … ON CONFLICT (keys) DO UPDATE of the given columns (PostgreSQL and SQLite)."""
    columns = [c for c in rows[0] if c not in keys]
    if session.get_bind().dialect.name == "postgresql":
        pg = pg_insert(table).values(rows)
        return pg.on_conflict_do_update(
            index_elements=keys, set_={c: pg.excluded[c] for c in columns}
        )
    lite = sqlite_insert(table).values(rows)
    return lite.on_conflict_do_update(
        index_elements=keys, set_={c: lite.excluded[c] for c in columns}
    )


def _changed(
    current: dict[Any, _Row],
    wanted: dict[Any, _Row],
    table: Table,
    keys: list[str],
    session: AsyncSession,
) -> list[Executable]:
    rows = [row for key, row in wanted.items() if current.get(key) != row]
    return [_upsert(session, table, rows, keys)] if rows else []


async def _rows(session: AsyncSession, table: Table, columns: list[str]) -> list[_Row]:
    result = await session.execute(select(*(table.c[c] for c in columns)))
    return [dict(row._mapping) for row in result]


async def _ids(session: AsyncSession, table: Table) -> dict[str, int]:
    return {r["key"]: r["id"] for r in await _rows(session, table, ["key", "id"])}


async def _departments(session: AsyncSession, want: _Wanted) -> list[Executable]:
    table = _table(Department)
    cols = ["key", "name", "head_key", "topics"]
    current = {r["key"]: r for r in await _rows(session, table, cols)}
    wanted = {
        d.key: {"key": d.key, "name": d.name, "head_key": d.head, "topics": " ".join(d.topics)}
        for d in want.departments
    }
    return _changed(current, wanted, table, ["key"], session)


async def _people(session: AsyncSession, want: _Wanted) -> list[Executable]:
    table = _table(Person)
    depts = await _ids(session, _table(Department))
    cols = ["key", "name", "department_id", "roles", "active"]
    current = {r["key"]: r for r in await _rows(session, table, cols)}
    wanted = {
        p.key: {
            "key": p.key,
            "name": p.name,
            "department_id": depts[p.department],
            "roles": " ".join(p.roles),
            "active": True,
        }
        for p in want.people
    }
    statements = _changed(current, wanted, table, ["key"], session)
    gone = sorted(k for k, r in current.items() if k not in wanted and r["active"])
    if gone:
        statements.append(update(table).where(table.c.key.in_(gone)).values(active=False))
    return statements


def _pruned(
    current: dict[Any, _Row],
    wanted: dict[Any, _Row],
    table: Table,
    keys: list[str],
    session: AsyncSession,
) -> list[Executable]:
    """For rows nothing references by id (identities, review stages): delete the ones the
    settings dropped, one by one, then upsert what changed."""
    stale = sorted(r["id"] for key, r in current.items() if key not in wanted)
    statements: list[Executable] = []
    if stale:
        statements.append(delete(table).where(table.c.id.in_(stale)))
    held = {key: {k: v for k, v in r.items() if k != "id"} for key, r in current.items()}
    return statements + _changed(held, wanted, table, keys, session)


async def _identities(session: AsyncSession, want: _Wanted) -> list[Executable]:
    table = _table(Identity)
    people = await _ids(session, _table(Person))
    wanted: dict[tuple[str, str], _Row] = {}
    for p in want.people:
        for platform, external_id in (("wecom", p.wecom), ("wechat", p.openid)):
            if not external_id:
                continue
            if (platform, external_id) in wanted:
                raise ValueError(
                    f"people：{platform} 账号 {external_id!r} 被不止一人使用 — 每个账号只能对应一人"
                )
            wanted[(platform, external_id)] = {
                "platform": platform,
                "external_id": external_id,
                "person_id": people[p.key],
            }
    rows = await _rows(session, table, ["id", "platform", "external_id", "person_id"])
    current = {(r["platform"], r["external_id"]): r for r in rows}
    return _pruned(current, wanted, table, ["platform", "external_id"], session)


async def _accounts(session: AsyncSession, want: _Wanted) -> list[Executable]:
    table = _table(Account)
    depts = await _ids(session, _table(Department))
    cols = ["key", "platform", "name", "owner_department_id"]
    current = {r["key"]: r for r in await _rows(session, table, cols)}
    wanted = {
        a.key: {
            "key": a.key,
            "platform": a.platform,
            "name": a.name,
            "owner_department_id": depts[a.owner],
        }
        for a in want.accounts
    }
    return _changed(current, wanted, table, ["key"], session)


async def _stages(session: AsyncSession, want: _Wanted) -> list[Executable]:
    table = _table(ReviewStage)
    depts = await _ids(session, _table(Department))
    accounts = await _ids(session, _table(Account))
    wanted: dict[tuple[int, int], _Row] = {}
    for a in want.accounts:
        for position, stage in enumerate(a.review_chain):
            wanted[(accounts[a.key], position)] = {
                "account_id": accounts[a.key],
                "position": position,
                "name": stage.name,
                "department_id": depts[stage.department],
                "role": stage.role,
                "kinds": " ".join(stage.kinds),
            }
    cols = ["id", "account_id", "position", "name", "department_id", "role", "kinds"]
    current = {(r["account_id"], r["position"]): r for r in await _rows(session, table, cols)}
    return _pruned(current, wanted, table, ["account_id", "position"], session)
