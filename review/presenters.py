"""One rendering per domain result, shared by the CLI, the JSON API and chat.

Each surface used to build these itself and they drifted (the CLI's JSON had no ``overridden``).
Pure and cheap to import: the result types are named for the type checker only, so a command
line that prints one does not load the database layer for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from review.submission import SubmitResult


def submit_json(result: SubmitResult) -> dict[str, Any]:
    """The submit result as the API and ``--json`` return it."""
    return {
        "draft_id": result.draft_id,
        "revision": result.revision,
        "verdict": result.verdict,
        "blocked": result.blocked,
        "reasons": list(result.reasons),
        "warnings": list(result.warnings),
        "overridden": list(result.overridden),
        "tasks": [t.id for t in result.tasks],
    }


def submit_text(result: SubmitResult) -> str:
    """The submit result for a person: why it was sent back, or what travels to the reviewers."""
    if result.blocked:
        lines = [f"稿件 {result.draft_id} 未通过自动检查，已退回编辑："]
        lines += [f"  ✗ {reason}" for reason in result.reasons]
        return "\n".join(lines)
    lines = [
        f"稿件 {result.draft_id}（第 {result.revision} 版）已提交审核，自动检查：{result.verdict}"
    ]
    lines += [f"  ! {warning}" for warning in result.warnings]
    if result.overridden:
        lines.append(f"经处室负责人例外放行的检查：{'、'.join(result.overridden)}")
    tasks = f"已生成 {len(result.tasks)} 个审核任务（各账号的第一道审核）"
    ids = "、".join(str(t.id) for t in result.tasks)
    lines.append(f"{tasks}：{ids}" if ids else tasks)
    return "\n".join(lines)


def submit_summary(result: SubmitResult) -> str:
    """The submit result in one clause, for a page notice or a longer chat answer."""
    if result.blocked:
        return "未通过自动检查：" + "；".join(result.reasons)
    return "已提交审核"
