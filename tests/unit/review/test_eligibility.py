"""Who may act on a review task: each refusal with its wording, and each allowed case."""

from __future__ import annotations

import pytest

from review.eligibility import Action, Actor, Reason, TaskFacts, refusal, stage_roles

OFFICE, SECRECY = 1, 2


def actor(pid: int, *roles: str, dept: int = OFFICE, active: bool = True) -> Actor:
    names = {OFFICE: "办公室", SECRECY: "保密办"}
    return Actor(pid, f"人员{pid}", dept, names[dept], frozenset(roles), active)


def task(role: str = "reviewer", involved: frozenset[int] = frozenset({9})) -> TaskFacts:
    stage = "终审" if role == "head" else "初审"
    return TaskFacts(12, stage, role, OFFICE, "办公室", involved_ids=involved)


REVIEWER = actor(2, "reviewer")
HEAD = actor(3, "reviewer", "head")


@pytest.mark.parametrize(
    ("who", "facts", "action"),
    [
        (REVIEWER, task(), "review"),
        (HEAD, task(), "review"),
        (HEAD, task("head"), "review"),
        (actor(4, "head"), task(), "review"),  # a head may review a reviewer's stage
        (REVIEWER, task("head"), "view"),  # looking at a head's stage needs no head
        (actor(5, "editor"), task(), "view"),
        (HEAD, task(), "reassign"),
        (REVIEWER, task(involved=frozenset()), "review"),  # nobody known: not refused
    ],
)
def test_allowed(who: Actor, facts: TaskFacts, action: Action) -> None:
    assert refusal(who, facts, action) is None


def test_nobody_involved_in_the_draft_reviews_it() -> None:
    """Involved: wrote any revision (not only the author or the last one), submitted it or
    overrode one of its checks — the store gathers them; the rule refuses each alike."""
    found = refusal(REVIEWER, task(involved=frozenset({9, REVIEWER.id})))
    assert found is not None and found.reason is Reason.INVOLVED
    assert found.message == "不能审核自己参与撰写、提交或豁免检查的稿件"
    found = refusal(HEAD, task("head", involved=frozenset({HEAD.id})))
    assert found is not None and found.reason is Reason.INVOLVED


def test_the_involved_may_still_look_at_the_task_and_a_head_reassign_it() -> None:
    assert refusal(REVIEWER, task(involved=frozenset({REVIEWER.id})), "view") is None
    assert refusal(HEAD, task(involved=frozenset({HEAD.id})), "reassign") is None


def test_a_deactivated_person_may_do_nothing() -> None:
    gone = actor(6, "reviewer", "head", active=False)
    for action in ("view", "review", "reassign"):
        found = refusal(gone, task(), action)  # type: ignore[arg-type]
        assert found is not None and found.reason is Reason.INACTIVE
        assert found.message == "人员6 已停用，不能审核"


def test_another_department_is_refused_naming_both() -> None:
    outsider = actor(7, "reviewer", "head", dept=SECRECY)
    for action in ("view", "review"):
        found = refusal(outsider, task(), action)  # type: ignore[arg-type]
        assert found is not None and found.reason is Reason.OTHER_DEPARTMENT
        assert found.message == "任务 12（初审）由办公室审核，人员7（保密办）不是该部门人员"


def test_a_head_stage_needs_a_head() -> None:
    found = refusal(REVIEWER, task("head"))
    assert found is not None and found.reason is Reason.NEEDS_HEAD
    assert found.message == "「终审」须由办公室负责人审核，人员2 不是负责人"


def test_reviewing_needs_a_reviewer_role() -> None:
    found = refusal(actor(5, "editor", "replier"), task())
    assert found is not None and found.reason is Reason.NOT_REVIEWER
    assert found.message == "人员5 没有审核人（reviewer）角色，不能审核"


@pytest.mark.parametrize("who", [REVIEWER, actor(8, "head", dept=SECRECY)])
def test_only_the_departments_head_reassigns(who: Actor) -> None:
    found = refusal(who, task(), "reassign")
    assert found is not None and found.reason is Reason.NOT_HEAD
    assert found.message == "只有办公室负责人可以转派任务 12"


def test_involvement_is_checked_first() -> None:
    outsider_author = actor(9, "editor", dept=SECRECY)
    found = refusal(outsider_author, task())
    assert found is not None and found.reason is Reason.INVOLVED


def test_stage_roles() -> None:
    assert stage_roles("head") == ("head",)
    assert stage_roles("reviewer") == ("reviewer", "head")
