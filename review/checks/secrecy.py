"""Secrecy markers: 秘密/机密/绝密 marks, 内部资料, 不得外传 … must never reach a public account.

Matching is by substring on the normalised text (a marking like ``秘密★1年`` is not a word jieba
knows), then any allow-phrase that covers the hit (非涉密, 商业秘密, 保密审查 …) cancels it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from review.checks.normalize import Normalized
from review.checks.types import CheckResult, Evidence, Verdict

NAME = "secrecy"
#: how a finding names the list it comes from (``secrecy.toml``, shipped)
LIST_LABEL = "涉密标志表（内置）"


@dataclass(frozen=True)
class SecrecyLexicon:
    block: tuple[str, ...]
    warn: tuple[str, ...]
    allow: tuple[str, ...]
    pattern: re.Pattern[str]
    allow_pattern: re.Pattern[str] | None


def _alternation(terms: tuple[str, ...]) -> str:
    return "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))


def parse_secrecy(data: dict[str, Any]) -> SecrecyLexicon:
    block = tuple(data.get("block", ()))
    warn = tuple(data.get("warn", ()))
    allow = tuple(data.get("allow", ()))
    return SecrecyLexicon(
        block=block,
        warn=warn,
        allow=allow,
        pattern=re.compile(_alternation(block + warn)),
        allow_pattern=re.compile(_alternation(allow)) if allow else None,
    )


def _allowed_spans(text: str, lex: SecrecyLexicon) -> list[tuple[int, int]]:
    if lex.allow_pattern is None:
        return []
    spans = []
    # overlapping search: an allow phrase may start inside another
    for i in range(len(text)):
        m = lex.allow_pattern.match(text, i)
        if m:
            spans.append((m.start(), m.end()))
    return spans


def check_secrecy(fields: list[tuple[str, Normalized]], lex: SecrecyLexicon) -> CheckResult:
    evidence: list[Evidence] = []
    terms: list[str] = []
    worst = Verdict.PASS
    for field_name, norm in fields:
        text = norm.text
        if lex.pattern.search(text) is None:
            continue
        allowed = _allowed_spans(text, lex)
        for m in lex.pattern.finditer(text):
            if any(a <= m.start() and m.end() <= b for a, b in allowed):
                continue
            level = Verdict.BLOCK if m.group() in lex.block else Verdict.WARN
            worst = max(worst, level, key=lambda v: v.rank)
            a, b = norm.span(m.start(), m.end())
            evidence.append(Evidence(norm.original[a:b], a, b, field_name))
            if m.group() not in terms:
                terms.append(m.group())
    if worst is Verdict.PASS:
        return CheckResult(NAME, Verdict.PASS, "未发现涉密标志")
    named = "、".join(f"“{t}”" for t in terms)
    if worst is Verdict.BLOCK:
        reason = f"含涉密或内部标志（{LIST_LABEL}）：{named}，不得公开发布"
        suggestion = "请核实信息是否经保密审查可公开；涉密或内部资料一律不得发布"
    else:
        reason = f"含{named}（{LIST_LABEL}），请确认不是内部或未定稿材料"
        suggestion = "如为内部材料或未定稿请勿发布；确属公开内容可忽略此提示"
    return CheckResult(NAME, worst, reason, tuple(evidence[:12]), suggestion)
