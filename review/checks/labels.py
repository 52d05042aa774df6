"""The gate's words as staff read them: each check's and verdict's Chinese name, and a stored
report turned into findings (pure).

One home for these labels: ``newmedia check`` prints them, the console's draft and edit pages
show them beside the text. A report is read as the gate stored it (``GateReport.to_json`` plus
``overridden``), so pages need not rebuild ``CheckResult`` objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from review.checks.personal_data import NAME as PERSONAL_DATA

VERDICT_LABELS = {"pass": "通过", "warn": "提示", "block": "拦截"}
CHECK_LABELS = {
    "relevance": "职能相关性",
    PERSONAL_DATA: "个人信息",
    "secrecy": "涉密标志",
    "wording": "错敏词",
    "platform_limits": "平台限制",
    "reprint_source": "转载来源",
    "disclosure": "公开属性",
    "media": "图片",
    "draft": "稿件",
}
FIELD_LABELS = {
    "title": "标题",
    "body": "正文",
    "digest": "摘要",
    "author": "作者",
    "source": "来源",
    "account": "账号",
}


#: what to do when a check gives no suggestion of its own (relevance, platform limits …)
DEFAULT_SUGGESTIONS = {
    "relevance": "核对稿件是否属于本局职能；其他部门的事项请注明来源或交由对口部门发布",
    PERSONAL_DATA: "请去标识化：姓名仅保留姓氏，地址只保留到社区，删去电话和证件号",
    "secrecy": "请核实信息是否经保密审查可公开；涉密或内部资料一律不得发布",
    "wording": "请按规范用语修改后重新提交",
    "platform_limits": "按平台限制缩短标题或正文、补上封面后重新提交",
    "reprint_source": "在「来源」中填写转载来源",
    "disclosure": "不予公开的信息不得发布",
    "media": "把图片放进图片目录或在控制台上传",
}


def check_label(name: str) -> str:
    return CHECK_LABELS.get(name, name)


def verdict_label(verdict: str) -> str:
    return VERDICT_LABELS.get(str(verdict), str(verdict))


@dataclass(frozen=True)
class Finding:
    """One check of a stored report, in the words a page shows."""

    name: str
    label: str
    verdict: str
    verdict_label: str
    reason: str
    evidence: tuple[str, ...]  # 「正文：张建国」
    suggestion: str
    overridable: bool
    overridden: bool
    #: the personal-data check found something: 「一键去标识化」 applies
    maskable: bool


def _suggestion(name: str, verdict: str, given: object) -> str:
    if verdict == "pass":
        return ""
    return str(given or DEFAULT_SUGGESTIONS.get(name, "请按原因修改后重新提交"))


def findings(report: Mapping[str, Any] | None) -> list[Finding]:
    """Every check of a stored report, blocks first, then warnings, then passes."""
    if not report:
        return []
    overridden = set(report.get("overridden", []))
    checks: Sequence[Mapping[str, Any]] = report.get("checks", [])
    out: list[Finding] = []
    for c in checks:
        name, verdict = str(c.get("name", "")), str(c.get("verdict", "pass"))
        evidence = tuple(
            f"{FIELD_LABELS.get(str(e.get('field')), str(e.get('field', '')))}：{e.get('text', '')}"
            for e in c.get("evidence", [])
        )
        out.append(
            Finding(
                name=name,
                label=check_label(name),
                verdict=verdict,
                verdict_label=verdict_label(verdict),
                reason=str(c.get("reason", "")),
                evidence=evidence,
                suggestion=_suggestion(name, verdict, c.get("suggestion")),
                overridable=bool(c.get("overridable")),
                overridden=name in overridden,
                maskable=name == PERSONAL_DATA and verdict != "pass",
            )
        )
    rank = {"block": 0, "warn": 1}
    return sorted(out, key=lambda f: rank.get(f.verdict, 2))
