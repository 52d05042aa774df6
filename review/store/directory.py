"""Queries for departments, people, identities and accounts (mirrored from settings)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Account, Department, Identity, Person, ReviewStage


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


async def sync_directory(
    session: AsyncSession,
    departments: Iterable[DeptSpec],
    people: Iterable[PersonSpec],
    accounts: Iterable[AccountSpec],
) -> None:
    """Upsert by key; people missing from settings are deactivated, never deleted (audit)."""
    dept_rows = {d.key: d for d in (await session.scalars(select(Department))).all()}
    for spec in departments:
        row = dept_rows.get(spec.key) or Department(key=spec.key)
        row.name, row.head_key, row.topics = spec.name, spec.head, " ".join(spec.topics)
        session.add(row)
        dept_rows[spec.key] = row
    await session.flush()
    person_rows = {p.key: p for p in (await session.scalars(select(Person))).all()}
    seen: set[str] = set()
    for pspec in people:
        seen.add(pspec.key)
        prow = person_rows.get(pspec.key) or Person(key=pspec.key)
        prow.name = pspec.name
        prow.department_id = dept_rows[pspec.department].id
        prow.roles = " ".join(pspec.roles)
        prow.active = True
        session.add(prow)
        person_rows[pspec.key] = prow
    for key, prow in person_rows.items():
        if key not in seen:
            prow.active = False
    await session.flush()
    await session.execute(delete(Identity))
    for pspec in people:
        pid = person_rows[pspec.key].id
        if pspec.wecom:
            session.add(Identity(person_id=pid, platform="wecom", external_id=pspec.wecom))
        if pspec.openid:
            session.add(Identity(person_id=pid, platform="wechat", external_id=pspec.openid))
    acc_rows = {a.key: a for a in (await session.scalars(select(Account))).all()}
    for aspec in accounts:
        arow = acc_rows.get(aspec.key) or Account(key=aspec.key)
        arow.platform, arow.name = aspec.platform, aspec.name
        arow.owner_department_id = dept_rows[aspec.owner].id
        session.add(arow)
        acc_rows[aspec.key] = arow
    await session.flush()
    await session.execute(delete(ReviewStage))
    for aspec in accounts:
        for position, stage in enumerate(aspec.review_chain):
            session.add(
                ReviewStage(
                    account_id=acc_rows[aspec.key].id,
                    position=position,
                    name=stage.name,
                    department_id=dept_rows[stage.department].id,
                    role=stage.role,
                    kinds=" ".join(stage.kinds),
                )
            )
    await session.flush()


async def review_chain(session: AsyncSession, account_id: int) -> list[ReviewStage]:
    rows = await session.scalars(
        select(ReviewStage)
        .where(ReviewStage.account_id == account_id)
        .order_by(ReviewStage.position)
    )
    return list(rows.all())


async def person_by_key(session: AsyncSession, key: str) -> Person | None:
    return await session.scalar(select(Person).where(Person.key == key))


async def person_by_id(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def person_by_name_or_key(session: AsyncSession, name: str) -> Person | None:
    return await session.scalar(
        select(Person).where((Person.key == name) | (Person.name == name)).limit(1)
    )


async def person_by_identity(
    session: AsyncSession, platform: str, external_id: str
) -> Person | None:
    return await session.scalar(
        select(Person)
        .join(Identity, Identity.person_id == Person.id)
        .where(Identity.platform == platform, Identity.external_id == external_id)
    )


async def identities_of(session: AsyncSession, person_id: int, platform: str) -> list[str]:
    rows = await session.scalars(
        select(Identity.external_id).where(
            Identity.person_id == person_id, Identity.platform == platform
        )
    )
    return list(rows.all())


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def person_by_token(session: AsyncSession, token: str) -> Person | None:
    if not token:
        return None
    return await session.scalar(
        select(Person).where(Person.api_token_hash == hash_token(token), Person.active.is_(True))
    )


async def issue_token(session: AsyncSession, person: Person) -> str:
    """A new API token (shown once); only its hash is stored, replacing any earlier one."""
    token = "nmb_" + secrets.token_urlsafe(32)
    person.api_token_hash = hash_token(token)
    session.add(person)
    await session.flush()
    return token


async def account_by_key(session: AsyncSession, key: str) -> Account | None:
    return await session.scalar(select(Account).where(Account.key == key))


async def account_by_id(session: AsyncSession, account_id: int) -> Account | None:
    return await session.get(Account, account_id)


async def department_by_key(session: AsyncSession, key: str) -> Department | None:
    return await session.scalar(select(Department).where(Department.key == key))


async def department_by_name_or_key(session: AsyncSession, name: str) -> Department | None:
    return await session.scalar(
        select(Department).where((Department.key == name) | (Department.name == name)).limit(1)
    )


async def department_by_id(session: AsyncSession, dept_id: int) -> Department | None:
    return await session.get(Department, dept_id)


async def people_in(
    session: AsyncSession, department_id: int, role: str | None = None
) -> list[Person]:
    rows = (
        await session.scalars(
            select(Person).where(Person.department_id == department_id, Person.active.is_(True))
        )
    ).all()
    return [p for p in rows if role is None or p.has_role(role)]


async def all_accounts(session: AsyncSession) -> list[Account]:
    return list((await session.scalars(select(Account).order_by(Account.id))).all())
