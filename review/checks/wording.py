"""Wrong and sensitive wording (错敏词): outdated 提法, stigmatising names, common mis-writings,
leaders' names with their titles and the order of titles.

The shipped list is ``wording.toml``; the bureau adds its own file (``[lists] wording_file``,
see :mod:`review.checks.bureau_lists`). Matching is by characters on the normalised text,
longest entry first, so a 繁体 or full-width variant is caught too. Every finding names its list
and entry (「错敏词表（本局）第12条“…”」); ``[[context]]`` rules (:mod:`.wording_context`) let a
quoted scam phrase in an anti-fraud warning through as a warning, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from review.checks.leaders import LeaderRules, find_leader_problems, parse_leaders
from review.checks.list_files import (
    BUILTIN,
    LexiconError,
    ListFile,
    only_keys,
    strings_of,
    tables,
    text_of,
)
from review.checks.normalize import Normalized
from review.checks.types import CheckResult, Evidence, Verdict
from review.checks.wording_context import ContextRule, applicable, parse_contexts

__all__ = ["LexiconError", "WordingEntry", "WordingLexicon", "check_wording", "parse_wording"]

NAME = "wording"
LIST_NAME = "错敏词表"
ENTRY_KEYS = {"wrong", "right", "level", "note", "except"}


@dataclass(frozen=True)
class WordingEntry:
    wrong: str
    right: str
    level: Verdict
    note: str = ""
    exceptions: tuple[str, ...] = ()
    #: 「错敏词表（内置）第35条“稳赚不赔”」
    label: str = ""


@dataclass(frozen=True)
class WordingLexicon:
    entries: dict[str, WordingEntry]
    pattern: re.Pattern[str] | None
    contexts: tuple[ContextRule, ...] = ()
    leaders: LeaderRules = field(default_factory=LeaderRules)


def list_label(source: str) -> str:
    return f"{LIST_NAME}（{source}）"


def make_lexicon(
    entries: dict[str, WordingEntry],
    contexts: tuple[ContextRule, ...] = (),
    leaders: LeaderRules | None = None,
) -> WordingLexicon:
    words = sorted(entries, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in words)) if words else None
    return WordingLexicon(entries, pattern, contexts, leaders or LeaderRules())


def parse_entries(data: dict[str, Any], f: ListFile) -> dict[str, WordingEntry]:
    entries: dict[str, WordingEntry] = {}
    for i, raw in enumerate(tables(data, f, "entry"), start=1):
        only_keys(raw, ENTRY_KEYS, f, "entry", i)
        wrong = text_of(raw, "wrong", f, "entry", i, required=True)
        level = raw.get("level", "warn")
        if level not in ("block", "warn"):
            raise f.error("entry", i, 'level 应为 "block"（必须改）或 "warn"（提示）')
        if wrong in entries:
            raise f.error("entry", i, f"“{wrong}”与前面的词条重复")
        entries[wrong] = WordingEntry(
            wrong=wrong,
            right=text_of(raw, "right", f, "entry", i, required=False),
            level=Verdict(level),
            note=text_of(raw, "note", f, "entry", i, required=False),
            exceptions=strings_of(raw, "except", f, "entry", i),
            label=f"{f.label}第{i}条“{wrong}”",
        )
    return entries


def parse_wording(data: dict[str, Any], f: ListFile | None = None) -> WordingLexicon:
    """A whole list file: ``[[entry]]``, ``[[context]]``, ``[[leader]]``, ``[[title_order]]``."""
    f = f or ListFile("wording.toml", list_label(BUILTIN))
    return make_lexicon(parse_entries(data, f), parse_contexts(data, f), parse_leaders(data, f))


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


@dataclass
class _Findings:
    evidence: list[Evidence] = field(default_factory=list)
    notes: dict[str, Verdict] = field(default_factory=dict)
    fixes: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)

    def add(self, norm: Normalized, name: str, start: int, end: int, level: Verdict,
            note: str, fix: str) -> None:  # fmt: skip
        a, b = norm.span(start, end)
        self.evidence.append(Evidence(norm.original[a:b], a, b, name))
        self.notes[note] = max(self.notes.get(note, Verdict.PASS), level, key=lambda v: v.rank)
        if fix and fix not in self.fixes:
            self.fixes.append(fix)


def _entry_hits(out: _Findings, name: str, norm: Normalized, lex: WordingLexicon) -> None:
    for start, end, entry in find_wording(norm.text, lex):
        note = f"{entry.label}（{entry.note}）" if entry.note else entry.label
        found = applicable(norm.text, start, end, entry.wrong, lex.contexts)
        if found is None:
            out.add(norm, name, start, end, entry.level, note, f"{entry.wrong} → {entry.right}")
            continue
        rule, marker = found
        why = f"{entry.label}：出现在含“{marker}”的段落中并加引号，按{rule.label}"
        if rule.verdict is Verdict.PASS:
            out.passed.append(why + "放行")
        else:
            out.add(norm, name, start, end, Verdict.WARN, why + "降为提示，请确认是在提醒防范", "")


def check_wording(fields: list[tuple[str, Normalized]], lex: WordingLexicon) -> CheckResult:
    out = _Findings()
    for field_name, norm in fields:
        _entry_hits(out, field_name, norm, lex)
        for p in find_leader_problems(norm.text, lex.leaders):
            out.add(norm, field_name, p.start, p.end, p.level, f"{p.label}：{p.message}", p.fix)
    if not out.notes:
        reason = "未发现错敏词"
        if out.passed:
            reason += "（" + "；".join(dict.fromkeys(out.passed)) + "）"
        return CheckResult(NAME, Verdict.PASS, reason)
    worst = Verdict.worst(list(out.notes.values()))
    ordered = sorted(out.notes, key=lambda n: -out.notes[n].rank)  # blocks first
    head = "含错敏词" if worst is Verdict.BLOCK else "含不规范用语"
    reason = f"{head}：" + "；".join(ordered[:5]) + ("等" if len(ordered) > 5 else "")
    suggestion = "建议改为：" + "；".join(out.fixes) if out.fixes else "请人工确认"
    return CheckResult(NAME, worst, reason, tuple(out.evidence[:20]), suggestion)
