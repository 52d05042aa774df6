"""Where a draft stands against submission, in one line, and whether 提交审核 is offered (pure).

The draft page used to say 「尚未提交审核」 whenever the current revision had no review task —
also right after a submission the gate blocked — and offered 提交审核 on a blocked draft that
would only be blocked again. The answer here reads the draft's status, the gate's stored
report on the current revision, the overrides a head granted for it and how many tasks it has.
Who may submit is another question (``review.draft_rights``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from review.checks.labels import check_label
from review.states import DraftStatus as D


@dataclass(frozen=True)
class Readiness:
    offer_submit: bool
    line: str  # the state line the page shows
    #: the checks that still block the current revision (their Chinese names)
    blocking: tuple[str, ...] = ()
    #: the status as staff should read it when the stored one lags (a blocked draft edited
    #: since: its new revision was not gated yet); None: the draft's own label
    label: str | None = None


def blocking_checks(report: Mapping[str, Any] | None, overrides: Collection[str]) -> list[str]:
    """The names of the checks that block ``report`` and no head has overridden."""
    if not report:
        return []
    return [
        str(c.get("name"))
        for c in report.get("checks", [])
        if c.get("verdict") == "block" and c.get("name") not in overrides
    ]


def readiness(
    status: str,
    revision: int,
    report: Mapping[str, Any] | None,
    overrides: Collection[str],
    tasks: int,
) -> Readiness:
    """``report``: the latest gate run of the current revision (None: not gated yet);
    ``tasks``: review tasks of the current revision."""
    state = D(status)
    if state == D.REJECTED:
        return Readiness(False, "已驳回：稿件不再发布；如需发布请新建稿件")
    if state == D.BLOCKED and report is not None:
        blocking = blocking_checks(report, overrides)
        if blocking:
            names = tuple(check_label(n) for n in blocking)
            return Readiness(
                False,
                f"第 {revision} 版已提交，未通过自动检查（{'、'.join(names)}），未生成审核任务；"
                "请按下方建议修改（保存为新版本）后再提交",
                names,
            )
        granted = "、".join(check_label(n) for n in overrides)
        return Readiness(
            True, f"第 {revision} 版的拦截已由负责人批准例外（{granted}），可以重新提交"
        )
    if state == D.CHANGES_REQUESTED and tasks:
        return Readiness(False, f"第 {revision} 版已被退回修改：请修改（保存为新版本）后重新提交")
    if state == D.BLOCKED:
        return Readiness(True, f"第 {revision} 版已修改，尚未提交审核", label="已修改，待重新提交")
    if state in (D.DRAFT, D.CHANGES_REQUESTED):
        return Readiness(True, f"第 {revision} 版尚未提交审核")
    if state == D.SUBMITTED:
        return Readiness(False, f"第 {revision} 版已提交，正在自动检查")
    if state == D.IN_REVIEW:
        return Readiness(False, f"第 {revision} 版已提交审核，共 {tasks} 个审核任务（见下表）")
    return Readiness(False, f"第 {revision} 版审核已全部通过")


def judged_now(
    ready: Readiness, report: Mapping[str, Any] | None, overrides: Collection[str]
) -> Readiness:
    """``ready`` for a revision never gated, given the gate's verdict on its text now (not
    stored): a submission it would block is not offered, and the line says why."""
    blocking = blocking_checks(report, overrides)
    if not ready.offer_submit or not blocking:
        return ready
    names = tuple(check_label(n) for n in blocking)
    line = f"{ready.line}；按当前文本检查，{'、'.join(names)}未通过，请按下方建议修改后再提交"
    return Readiness(False, line, names, ready.label)
