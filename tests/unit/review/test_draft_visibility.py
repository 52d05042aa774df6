"""Who reads a draft (``review.visibility``): each ground alone, admins, outside operators."""

from __future__ import annotations

import pytest

from review.visibility import DraftFacts, Ground, can_see, grounds_for, scope_of

OFFICE, ELDERLY, SECRECY = 1, 2, 3
ME = 7


def facts(
    involved: frozenset[int] = frozenset({9}),
    author_dept: int | None = ELDERLY,
    owners: frozenset[int] = frozenset({ELDERLY}),
    stages: frozenset[int] = frozenset(),
) -> DraftFacts:
    return DraftFacts(involved, author_dept, owners, stages)


STRANGER = facts()  # another department's draft that has not reached any of ours


@pytest.mark.parametrize(
    ("draft", "ground"),
    [
        (facts(involved=frozenset({9, ME})), Ground.INVOLVED),
        (facts(author_dept=OFFICE), Ground.AUTHOR_DEPARTMENT),
        (facts(owners=frozenset({ELDERLY, OFFICE})), Ground.OWNER_DEPARTMENT),
        (facts(stages=frozenset({ELDERLY, OFFICE})), Ground.STAGE_DEPARTMENT),
    ],
)
def test_each_ground_alone_lets_staff_read(draft: DraftFacts, ground: Ground) -> None:
    scope = scope_of(ME, OFFICE, ["reviewer"])
    assert grounds_for(scope, draft) == {ground}
    assert can_see(scope, draft)


@pytest.mark.parametrize("roles", [["editor"], ["reviewer", "head"], ["replier"], []])
def test_staff_do_not_read_another_departments_draft(roles: list[str]) -> None:
    assert not can_see(scope_of(ME, OFFICE, roles), STRANGER)


def test_an_admin_reads_everything() -> None:
    scope = scope_of(ME, OFFICE, ["admin"])
    assert scope.grounds == {Ground.ALL}
    assert can_see(scope, STRANGER)
    assert can_see(scope, facts(involved=frozenset(), author_dept=None, owners=frozenset()))


def test_an_outside_operator_reads_only_what_they_worked_on() -> None:
    scope = scope_of(ME, OFFICE, ["operator"])
    assert scope.grounds == {Ground.INVOLVED}
    colleagues = facts(author_dept=OFFICE, owners=frozenset({OFFICE}), stages=frozenset({OFFICE}))
    assert not can_see(scope, colleagues)
    assert can_see(scope, facts(involved=frozenset({ME})))


def test_an_operator_who_also_edits_is_staff() -> None:
    scope = scope_of(ME, OFFICE, ["operator", "editor"])
    assert can_see(scope, facts(owners=frozenset({OFFICE})))


def test_a_review_stage_department_reads_from_when_its_task_exists() -> None:
    secrecy = scope_of(ME, SECRECY, ["reviewer", "head"])
    before = facts(author_dept=OFFICE, owners=frozenset({OFFICE}), stages=frozenset({OFFICE}))
    reached = facts(
        author_dept=OFFICE, owners=frozenset({OFFICE}), stages=frozenset({OFFICE, SECRECY})
    )
    assert not can_see(secrecy, before)
    assert can_see(secrecy, reached)


def test_an_unknown_author_department_matches_nobody() -> None:
    assert not can_see(scope_of(ME, OFFICE, ["editor"]), facts(author_dept=None))
