"""The disclosure attribute as a gate check: a draft marked 不予公开 is blocked and no head can
override it (the attribute is decided at the source; change it there, or do not publish).
依申请公开 passes with a warning: it is published only when someone asked for it."""

from __future__ import annotations

from review.checks.types import CheckResult, GateInput, Verdict
from review.disclosure import ON_REQUEST, WITHHELD, WITHHELD_REASON

NAME = "disclosure"


def check_disclosure(inp: GateInput) -> CheckResult:
    if inp.disclosure == WITHHELD:
        return CheckResult(
            NAME,
            Verdict.BLOCK,
            WITHHELD_REASON,
            suggestion="不予公开的信息不得发布；如经审定可以公开，请先把公开属性改为「主动公开」",
        )
    if inp.disclosure == ON_REQUEST:
        return CheckResult(
            NAME,
            Verdict.WARN,
            "公开属性为「依申请公开」：请审核人确认本次发布是答复申请所需",
        )
    return CheckResult(NAME, Verdict.PASS, f"公开属性：{inp.disclosure}")
