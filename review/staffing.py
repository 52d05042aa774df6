"""Whether every stage a draft is about to pass through still has someone who may review it.

Separation of duties (``review.eligibility``) keeps everyone involved in a draft off all of its
stages. Where a department has a single head, the head's own override or submission would leave
its 终审 with nobody eligible, and the task would wait forever without a word. So an override
and a submission are refused up front when, counting their actor as involved, some stage of a
target account's chain (for the revision's kind) has no active person the one rule lets in —
asked through ``eligibility.refusal`` itself, never a second copy of the rule.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from review import chains, eligibility
from review.errors import Conflict
from review.models import Draft, Person, ReviewStage
from review.store import directory as dirstore
from review.store import drafts as dstore
from review.store import task_facts as fstore

ROLE_LABELS = {"head": "负责人", "reviewer": "审核人"}


async def _stage_problem(
    session: AsyncSession,
    stage: ReviewStage,
    involved: frozenset[int],
    actor: Person,
    actor_label: str,
) -> str | None:
    """None if someone may review ``stage``; else who could have, and why not (Chinese)."""
    dept = await dirstore.department_by_id(session, stage.department_id)
    facts = eligibility.TaskFacts(
        id=0,
        stage=stage.name,
        stage_role=stage.role,
        department_id=stage.department_id,
        department=dept.name if dept is not None else str(stage.department_id),
        involved_ids=involved,
    )
    untouched = replace(facts, involved_ids=frozenset())
    could: list[Person] = []
    for person in await dirstore.people_in(session, stage.department_id):
        who = await chains.actor(session, person)
        if eligibility.refusal(who, facts) is None:
            return None
        if eligibility.refusal(who, untouched) is None:
            could.append(person)
    role = ROLE_LABELS.get(stage.role, stage.role)
    if not could:
        return f"「{stage.name}」没有可审核的人：{facts.department}没有在岗的{role}"
    names = "、".join(
        f"{p.name}（{actor_label if p.id == actor.id else '已参与该稿件'}）" for p in could
    )
    return f"「{stage.name}」将没有可审核的人：{facts.department}{role}只有{names}"


async def ensure_staffed(
    session: AsyncSession, draft: Draft, kind: str, actor: Person, *, acting: str
) -> None:
    """Raise ``Conflict`` (Chinese, naming the stage and its people) unless every applicable
    stage of every target account's chain keeps an eligible reviewer once ``actor`` is involved.

    ``acting``: "override" (the actor overrides a check) or "submit"."""
    involved = await fstore.involved_ids(session, draft.id) | {actor.id}
    label, when, advice = {
        "override": ("豁免人", "豁免后", "请由其他负责人豁免，或先调整人员。"),
        "submit": ("提交人", f"由{actor.name}提交后", "请由未参与该稿件的人提交，或先调整人员。"),
    }[acting]
    problems: list[str] = []
    seen: set[tuple[int, str]] = set()
    for account in await dstore.target_accounts(session, draft.id):
        for stage in await chains.applicable(session, account.id, kind):
            key = (stage.department_id, stage.role)
            if key in seen:  # the same department and role: the same answer
                continue
            seen.add(key)
            found = await _stage_problem(session, stage, involved, actor, label)
            if found is not None:
                problems.append(found)
    if problems:
        raise Conflict(f"{when}{'；'.join(problems)}。{advice}")
