"""Queries for departments, people, identities and accounts (mirrored from settings by
``directory_sync``)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Account, Department, Identity, Person, ReviewStage


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
