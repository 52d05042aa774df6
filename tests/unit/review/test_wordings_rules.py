"""The 口径 library's pure rules: references in a reply, the chain per kind, the 办事指南 clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from review.errors import ValidationFailed
from review.wordings.lookup import references
from review.wordings.policy import OWNER_STAGE, WordingPolicy, WordingStage, chain, kind_of


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("口径12", [12]),
        (" 口径 #7 ", [7]),
        ("您好【口径3】另请注意【口径 4】", [3, 4]),
        ("按照统一口径3个工作日内答复", []),  # a sentence that mentions 口径 is not a reference
        ("口径12 补充说明", []),
        ("", []),
    ],
)
def test_only_a_whole_reference_or_a_bracketed_one_is_expanded(text: str, refs: list[int]) -> None:
    assert references(text) == refs


def test_the_chain_is_the_owner_then_the_stages_for_the_kind() -> None:
    policy = WordingPolicy(
        stages=(
            WordingStage("保密审查", "secrecy"),
            WordingStage("法制审核", "legal", kinds=("口径",)),
        )
    )
    ids = {"secrecy": 5, "legal": 6}
    assert [s["name"] for s in chain(policy, "wording", 1, ids)] == [
        OWNER_STAGE,
        "保密审查",
        "法制审核",
    ]
    assert [s["department_id"] for s in chain(policy, "guide", 1, ids)] == [1, 5]
    with pytest.raises(ValidationFailed, match="nope"):
        chain(WordingPolicy(stages=(WordingStage("X", "nope"),)), "guide", 1, ids)


def test_a_guide_change_is_due_by_the_end_of_the_next_working_day() -> None:
    policy = WordingPolicy(guide_days=1)
    friday_evening = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # 18:00 Beijing, a Friday
    due = policy.due_at("guide", friday_evening)
    assert due == datetime(2026, 11, 30, 15, 59, 59, tzinfo=UTC)  # Monday 23:59:59 Beijing
    assert policy.due_at("wording", friday_evening) is None


def test_kinds_are_named_in_chinese_or_by_key() -> None:
    assert kind_of("口径") == kind_of("wording") == "wording"
    assert kind_of("办事指南") == "guide"
    with pytest.raises(ValidationFailed, match="口径"):
        kind_of("通知")
