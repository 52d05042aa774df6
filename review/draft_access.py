"""Whether a person may act on a draft, asked of the database: the accounts' owner departments
read here, the rule itself in ``review.draft_rights`` (pure). Editing, submitting, cancelling
and moving the schedule all come through :func:`ensure_manager` (谁开设、谁管理)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

import review.store.public_answers as public_store
from review import draft_rights
from review.errors import Forbidden
from review.models import Account, Draft, Person
from review.store import directory as dirstore


async def owners(session: AsyncSession, accounts: Sequence[Account]) -> draft_rights.Owners:
    ids = frozenset(a.owner_department_id for a in accounts)
    names = []
    for dept_id in sorted(ids):
        dept = await dirstore.department_by_id(session, dept_id)
        names.append(dept.name if dept else str(dept_id))
    return draft_rights.Owners(ids, tuple(names))


async def ensure_manager(
    session: AsyncSession,
    person: Person,
    draft: Draft,
    accounts: Sequence[Account],
    act: draft_rights.Act = "schedule",
) -> None:
    """Raise ``Forbidden`` unless ``person`` manages these accounts of the draft."""
    who = draft_rights.manager(
        person.id, person.name, person.department_id, person.roles.split(), person.active
    )
    facts = await owners(session, accounts)
    why = draft_rights.refusal(who, act, facts, author_id=draft.author_id, draft_id=draft.id)
    if why and act != "schedule":  # a public answer's replier (asked only when refused)
        answering = await public_store.answering_departments(session, draft.id)
        if answering:
            why = draft_rights.refusal(
                who, act, facts, author_id=draft.author_id, draft_id=draft.id, answering=answering
            )
    if why:
        raise Forbidden(why)
