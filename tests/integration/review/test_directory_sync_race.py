"""The directory mirrored from settings while replicas and CLI commands do the same at the same
moment (issue 12 item 4): every sync succeeds, the rows are exactly what the settings say, and an
unchanged directory costs no write at all.

Overlap is forced with an ``asyncio.Barrier``: every sync holds its own connection (on
PostgreSQL, with its transaction already open) before any of them starts.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from directory_support import Specs, expected, snapshot, specs_of
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.load import Settings
from review import drafts
from review.db import SessionFactory, session_factory
from review.models import Account, Department, Draft, Identity, Person
from review.store import directory
from review.store.directory_sync import sync_directory

N = 8


async def race(engine: AsyncEngine, specs: Specs, n: int = N) -> list[BaseException]:
    """``n`` syncs on their own connections, released together; the errors they raised."""
    sf = session_factory(engine)
    barrier = asyncio.Barrier(n)
    # SQLite's BEGIN IMMEDIATE takes the write lock at the first statement, so there the
    # transactions open after the barrier (they then queue on the lock, as processes do)
    open_first = engine.dialect.name == "postgresql"

    async def one() -> None:
        async with sf.begin() as s:
            if open_first:
                await s.execute(text("SELECT 1"))
            await barrier.wait()
            await sync_directory(s, specs.departments, specs.people, specs.accounts)

    results = await asyncio.gather(*(one() for _ in range(n)), return_exceptions=True)
    return [r for r in results if isinstance(r, BaseException)]


@pytest.mark.pg
async def test_simultaneous_first_syncs_all_succeed(
    engine: AsyncEngine, settings: Settings
) -> None:
    """Replicas starting together on a new database: each would insert every department."""
    specs = specs_of(settings)
    assert await race(engine, specs) == []
    assert await snapshot(session_factory(engine)) == expected(specs)


def changed_specs(settings: Settings) -> Specs:
    """The settings after an edit: li_na's WeCom id changed and a person added."""
    specs = specs_of(settings)
    people = [
        p.model_copy(update={"wecom": "LiNa2"}) if p.key == "li_na" else p for p in specs.people
    ]
    added = settings.people["zhao_min"].model_copy(
        update={"key": "new_person", "name": "新人", "wecom": "NewPerson"}
    )
    return Specs(specs.departments, [*people, added], specs.accounts)


@pytest.mark.pg
async def test_simultaneous_resyncs_after_an_edit_all_succeed(
    engine: AsyncEngine, sf: SessionFactory, settings: Settings
) -> None:
    """Replicas restarting together after an edit of the settings: the identities they would
    all delete and re-insert collide on (platform, external_id)."""
    specs = changed_specs(settings)
    assert await race(engine, specs) == []
    assert await snapshot(sf) == expected(specs)


class Statements:
    """The SQL an engine sends (to show which syncs write)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.seen: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.seen.append(statement)

    def writes(self) -> list[str]:
        verbs = ("INSERT", "UPDATE", "DELETE")
        return [s for s in self.seen if s.lstrip().upper().startswith(verbs) or "pg_advisory" in s]


@pytest.mark.pg
async def test_an_unchanged_directory_is_not_written(
    engine: AsyncEngine, sf: SessionFactory, settings: Settings
) -> None:
    """Parallel CLI commands and restarts must not contend: a sync with nothing to change only
    reads (no lock, no insert, update or delete)."""
    specs = specs_of(settings)
    before = await snapshot(sf)
    statements = Statements(engine)
    async with sf.begin() as s:
        wrote = await sync_directory(s, specs.departments, specs.people, specs.accounts)
    assert statements.writes() == []
    assert wrote is False
    assert await snapshot(sf) == before

    edited = changed_specs(settings)
    async with sf.begin() as s:  # and one that has something to change says so
        assert await sync_directory(s, edited.departments, edited.people, edited.accounts)
    assert any("pg_advisory" in w for w in statements.writes()) == (
        engine.dialect.name == "postgresql"
    )


async def ids(sf: SessionFactory, model: Any) -> dict[Any, int]:
    async with sf() as s:
        rows = (await s.scalars(select(model))).all()
    if model is Identity:
        return {(r.platform, r.external_id): r.id for r in rows}
    return {r.key: r.id for r in rows}


@pytest.mark.pg
async def test_a_resync_applies_removals_and_changes_precisely(
    sf: SessionFactory, settings: Settings
) -> None:
    """A person dropped from the settings is deactivated (their drafts still point at them) and
    loses their identities; a changed or swapped identity follows the settings; a shortened
    review chain loses its last stage; rows that did not change keep their ids."""
    async with sf.begin() as s:
        author = await directory.person_by_key(s, "zhao_min")
        assert author is not None
        draft, _r = await drafts.create(
            s, author, drafts.DraftInput(title="标题", body="正文", accounts=["ccmz_wechat"])
        )
    people_before, identities_before = await ids(sf, Person), await ids(sf, Identity)
    depts_before, accounts_before = await ids(sf, Department), await ids(sf, Account)

    base = specs_of(settings)
    edits: dict[str, dict[str, Any]] = {
        "li_na": {"wecom": "LiNa2"},  # changed
        "wang_qiang": {"wecom": "ChenJing"},  # swapped with chen_jing
        "chen_jing": {"wecom": "WangQiang"},
    }
    people = [p.model_copy(update=edits.get(p.key, {})) for p in base.people if p.key != "zhao_min"]
    wechat = settings.accounts["ccmz_wechat"]
    accounts = [
        wechat.model_copy(update={"name": "长春民政发布", "review_chain": wechat.review_chain[:3]})
        if a.key == "ccmz_wechat"
        else a
        for a in base.accounts
    ]
    offices = [
        d.model_copy(update={"name": "办公室（新）"}) if d.key == "office" else d
        for d in base.departments
    ]
    edited = Specs(offices, people, accounts)
    async with sf.begin() as s:
        assert await sync_directory(s, edited.departments, edited.people, edited.accounts)

    zhao = settings.people["zhao_min"]
    removed = ("zhao_min", zhao.name, zhao.department, " ".join(zhao.roles))
    assert await snapshot(sf) == expected(edited, inactive=[removed])
    assert await ids(sf, Person) == people_before  # nobody deleted or re-inserted
    assert await ids(sf, Department) == depts_before
    assert await ids(sf, Account) == accounts_before
    identities_after = await ids(sf, Identity)
    untouched = {("wecom", "MaJun"), ("wechat", "o_staff_li_na"), ("wecom", "ZhengLei")}
    for key in untouched:
        assert identities_after[key] == identities_before[key], key
    async with sf() as s:
        kept = await s.get(Draft, draft.id)
        assert kept is not None and kept.author_id == people_before["zhao_min"]
        assert await directory.person_by_identity(s, "wecom", "ZhaoMin") is None
        swapped = await directory.person_by_identity(s, "wecom", "ChenJing")
        assert swapped is not None and swapped.key == "wang_qiang"

    # back to the settings as they were: zhao_min active again, with the same id
    async with sf.begin() as s:
        assert await sync_directory(s, base.departments, base.people, base.accounts)
    assert await snapshot(sf) == expected(base)
    assert await ids(sf, Person) == people_before
