"""Who may read a draft — and with it its review tasks and publications (pure).

A draft is public only once it is published; before that its words (personal data a gate
caught, a 保密 question, a rejected wording) are for the people who work on it. So a person
reads a draft on one of these grounds:

- ``ALL`` — admins (they run the bureau's settings and answer for the whole record);
- ``INVOLVED`` — they wrote a revision of it, submitted it or overrode one of its checks;
- ``AUTHOR_DEPARTMENT`` — its author belongs to their department (colleagues' work);
- ``OWNER_DEPARTMENT`` — it targets an account their department opened (谁开设、谁管理);
- ``STAGE_DEPARTMENT`` — it reached one of their department's review stages (a task exists:
  保密办 and 法制处 see what reaches them, from that moment on).

Outside operators (only the "operator" role) read only what they are involved in. Every
other person reads on all the department grounds. A draft outside one's scope does not exist
for them: the same "不存在" answer (HTTP 404) as a missing one, and absent from every list.
``review.store.draft_scope`` turns the same grounds into the SQL filter for lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Ground(StrEnum):
    ALL = "all"
    INVOLVED = "involved"
    AUTHOR_DEPARTMENT = "author_department"
    OWNER_DEPARTMENT = "owner_department"
    STAGE_DEPARTMENT = "stage_department"


DEPARTMENT_GROUNDS = frozenset(
    {
        Ground.INVOLVED,
        Ground.AUTHOR_DEPARTMENT,
        Ground.OWNER_DEPARTMENT,
        Ground.STAGE_DEPARTMENT,
    }
)
#: the roles of an outside operator: drafting only, never the department's other work
OUTSIDE_ROLES = frozenset({"operator"})


@dataclass(frozen=True)
class Scope:
    """What one person reads: the grounds that apply to them, with their id and department."""

    person_id: int
    department_id: int
    grounds: frozenset[Ground]


@dataclass(frozen=True)
class DraftFacts:
    """What the rule needs about one draft (``review.store.draft_scope.draft_facts``)."""

    involved_ids: frozenset[int]
    author_department_id: int | None
    owner_department_ids: frozenset[int]
    stage_department_ids: frozenset[int]


def scope_of(person_id: int, department_id: int, roles: Iterable[str]) -> Scope:
    held = frozenset(roles)
    if "admin" in held:
        grounds = frozenset({Ground.ALL})
    elif held and held <= OUTSIDE_ROLES:
        grounds = frozenset({Ground.INVOLVED})
    else:
        grounds = DEPARTMENT_GROUNDS
    return Scope(person_id, department_id, grounds)


def grounds_for(scope: Scope, facts: DraftFacts) -> frozenset[Ground]:
    """Every ground on which ``scope`` reads the draft (empty: it does not)."""
    dept = scope.department_id
    held = {
        Ground.ALL: True,
        Ground.INVOLVED: scope.person_id in facts.involved_ids,
        Ground.AUTHOR_DEPARTMENT: facts.author_department_id == dept,
        Ground.OWNER_DEPARTMENT: dept in facts.owner_department_ids,
        Ground.STAGE_DEPARTMENT: dept in facts.stage_department_ids,
    }
    return frozenset(g for g in scope.grounds if held[g])


def can_see(scope: Scope, facts: DraftFacts) -> bool:
    return bool(grounds_for(scope, facts))
