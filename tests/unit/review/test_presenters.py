"""The submit result, rendered once for the CLI, the JSON API and chat."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from review.presenters import submit_json, submit_text
from review.submission import SubmitResult


def result(**changes: Any) -> SubmitResult:
    values: dict[str, Any] = {
        "draft_id": 7,
        "revision": 2,
        "verdict": "warn",
        "blocked": False,
        "reasons": (),
        "warnings": ("手机号 1 处",),
        "overridden": ("personal_data",),
        "tasks": (SimpleNamespace(id=11), SimpleNamespace(id=12)),
        "gate_run_id": 5,
    }
    return SubmitResult(**{**values, **changes})


def test_json_has_every_key_the_api_returns_including_overridden() -> None:
    assert submit_json(result()) == {
        "draft_id": 7,
        "revision": 2,
        "verdict": "warn",
        "blocked": False,
        "reasons": [],
        "warnings": ["手机号 1 处"],
        "overridden": ["personal_data"],
        "tasks": [11, 12],
    }


def test_text_of_a_submitted_draft_names_warnings_overrides_and_tasks() -> None:
    assert submit_text(result()).splitlines() == [
        "稿件 7（第 2 版）已提交审核，自动检查：warn",
        "  ! 手机号 1 处",
        "经处室负责人例外放行的检查：personal_data",
        "已生成 2 个审核任务（各账号的第一道审核）：11、12",
    ]


def test_text_of_a_blocked_draft_lists_the_reasons() -> None:
    blocked = result(blocked=True, verdict="block", reasons=("涉密词语", "身份证号"), tasks=())
    assert submit_text(blocked).splitlines() == [
        "稿件 7 未通过自动检查，已退回编辑：",
        "  ✗ 涉密词语",
        "  ✗ 身份证号",
    ]
