"""The directory as the settings describe it and as the database holds it, by natural keys, so
tests can compare the two after syncs (in-process or by several processes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.config.load import Settings
from review.db import SessionFactory
from review.models import Account, Department, Identity, Person, ReviewStage
from review.store.directory_sync import AccountSpec, DeptSpec, PersonSpec

Snapshot = dict[str, list[tuple[Any, ...]]]


@dataclass
class Specs:
    departments: list[DeptSpec]
    people: list[PersonSpec]
    accounts: list[AccountSpec]


def specs_of(settings: Settings) -> Specs:
    return Specs(
        list(settings.departments.values()),
        list(settings.people.values()),
        list(settings.accounts.values()),
    )


def expected(specs: Specs, inactive: Sequence[tuple[str, str, str, str]] = ()) -> Snapshot:
    """The directory as ``snapshot`` reads it, from the specs (plus people no longer listed)."""
    people = [(p.key, p.name, p.department, " ".join(p.roles), True) for p in specs.people]
    people += [(*row, False) for row in inactive]
    return {
        "departments": sorted(
            (d.key, d.name, d.head, " ".join(d.topics)) for d in specs.departments
        ),
        "people": sorted(people),
        "identities": sorted(
            (platform, ext, p.key)
            for p in specs.people
            for platform, ext in (("wecom", p.wecom), ("wechat", p.openid))
            if ext
        ),
        "accounts": sorted((a.key, a.platform, a.name, a.owner) for a in specs.accounts),
        "stages": sorted(
            (a.key, i, s.name, s.department, s.role, " ".join(s.kinds))
            for a in specs.accounts
            for i, s in enumerate(a.review_chain)
        ),
    }


async def snapshot(sf: SessionFactory) -> Snapshot:
    """Every directory row by natural keys (lists, so a duplicate would show)."""
    async with sf() as s:
        dept = {d.id: d.key for d in (await s.scalars(select(Department))).all()}
        who = {p.id: p.key for p in (await s.scalars(select(Person))).all()}
        acc = {a.id: a.key for a in (await s.scalars(select(Account))).all()}
        return {
            "departments": sorted(
                (d.key, d.name, d.head_key, d.topics)
                for d in (await s.scalars(select(Department))).all()
            ),
            "people": sorted(
                (p.key, p.name, dept[p.department_id], p.roles, p.active)
                for p in (await s.scalars(select(Person))).all()
            ),
            "identities": sorted(
                (i.platform, i.external_id, who[i.person_id])
                for i in (await s.scalars(select(Identity))).all()
            ),
            "accounts": sorted(
                (a.key, a.platform, a.name, dept[a.owner_department_id])
                for a in (await s.scalars(select(Account))).all()
            ),
            "stages": sorted(
                (acc[r.account_id], r.position, r.name, dept[r.department_id], r.role, r.kinds)
                for r in (await s.scalars(select(ReviewStage))).all()
            ),
        }
