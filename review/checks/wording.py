"""Wrong and sensitive wording (错敏词): outdated 提法, stigmatising names, common mis-writings.

The lexicon is ``wording.toml`` (wrong form, correction, level, note, optional exceptions), kept
by the bureau's editors. Matching is by characters on the normalised text, longest entry first,
so a 繁体 or full-width variant is caught too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from review.checks.normalize import Normalized
from review.checks.types import CheckResult, Evidence, Verdict

NAME = "wording"


@dataclass(frozen=True)
class WordingEntry:
    wrong: str
    right: str
    level: Verdict
    note: str = ""
    exceptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class WordingLexicon:
    entries: dict[str, WordingEntry]
    pattern: re.Pattern[str] | None


class LexiconError(ValueError):
    """A data file the bureau edited is malformed; the message says where, in Chinese."""


def parse_wording(data: dict[str, Any]) -> WordingLexicon:
    entries: dict[str, WordingEntry] = {}
    for i, raw in enumerate(data.get("entry", ()), start=1):
        try:
            level = Verdict(raw.get("level", "warn"))
            if level is Verdict.PASS:
                raise ValueError
            entry = WordingEntry(
                wrong=str(raw["wrong"]),
                right=str(raw.get("right", "")),
                level=level,
                note=str(raw.get("note", "")),
                exceptions=tuple(raw.get("except", ())),
            )
        except (KeyError, ValueError) as exc:
            raise LexiconError(
                f"wording.toml 第 {i} 条词条有误（需要 wrong，level 为 block 或 warn）"
            ) from exc
        if entry.wrong:
            entries[entry.wrong] = entry
    words = sorted(entries, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in words)) if words else None
    return WordingLexicon(entries, pattern)


def _excepted(text: str, start: int, end: int, entry: WordingEntry) -> bool:
    for phrase in entry.exceptions:
        pos = text.find(phrase, max(0, end - len(phrase)))
        while pos != -1 and pos <= start:
            if pos + len(phrase) >= end:
                return True
            pos = text.find(phrase, pos + 1)
    return False


def find_wording(text: str, lex: WordingLexicon) -> list[tuple[int, int, WordingEntry]]:
    if lex.pattern is None:
        return []
    hits = []
    for m in lex.pattern.finditer(text):
        entry = lex.entries[m.group()]
        if not _excepted(text, m.start(), m.end(), entry):
            hits.append((m.start(), m.end(), entry))
    return hits


def check_wording(fields: list[tuple[str, Normalized]], lex: WordingLexicon) -> CheckResult:
    evidence: list[Evidence] = []
    fixes: list[str] = []
    notes: list[str] = []
    worst = Verdict.PASS
    for field_name, norm in fields:
        for start, end, entry in find_wording(norm.text, lex):
            a, b = norm.span(start, end)
            evidence.append(Evidence(norm.original[a:b], a, b, field_name))
            fix = f"{entry.wrong} → {entry.right}"
            if fix not in fixes:
                fixes.append(fix)
                notes.append(
                    f"“{entry.wrong}”（{entry.note}）" if entry.note else f"“{entry.wrong}”"
                )
            worst = max(worst, entry.level, key=lambda v: v.rank)
    if worst is Verdict.PASS:
        return CheckResult(NAME, Verdict.PASS, "未发现错敏词")
    head = "含错敏词" if worst is Verdict.BLOCK else "含不规范用语"
    reason = f"{head}：" + "；".join(notes[:5]) + ("等" if len(notes) > 5 else "")
    return CheckResult(NAME, worst, reason, tuple(evidence[:20]), "建议改为：" + "；".join(fixes))
