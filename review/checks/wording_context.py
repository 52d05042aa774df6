"""Contextual exceptions to the 错敏词表, by rule rather than by deleting the entry.

An anti-fraud warning quotes the scam's own words (谨防“稳赚不赔”的骗局): the entry stays, and a
``[[context]]`` rule says when such a hit passes or is only a warning, and the finding says why.
A rule needs one of its markers in the same paragraph and, with ``quoted``, the hit inside
quotation marks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from review.checks.list_files import ListFile, only_keys, strings_of, tables, text_of
from review.checks.types import Verdict

_QUOTES = (("“", "”"), ("「", "」"), ("『", "』"), ("‘", "’"), ("《", "》"))
_STRAIGHT = ('"', "'")


@dataclass(frozen=True)
class ContextRule:
    name: str
    markers: tuple[str, ...]
    quoted: bool
    #: the ``wrong`` forms it applies to; empty = every entry
    entries: frozenset[str]
    verdict: Verdict
    label: str


def parse_contexts(data: dict[str, Any], f: ListFile) -> tuple[ContextRule, ...]:
    rules = []
    for i, raw in enumerate(tables(data, f, "context"), start=1):
        only_keys(raw, {"name", "markers", "quoted", "entries", "verdict"}, f, "context", i)
        name = text_of(raw, "name", f, "context", i, required=True)
        markers = strings_of(raw, "markers", f, "context", i)
        if not markers:
            raise f.error("context", i, '缺少 markers（例如 ["防诈骗", "谨防"]）')
        quoted = raw.get("quoted", True)
        if not isinstance(quoted, bool):
            raise f.error("context", i, "quoted 应为 true 或 false")
        verdict = raw.get("verdict", "warn")
        if verdict not in ("warn", "pass"):
            raise f.error("context", i, 'verdict 应为 "warn"（降为提示）或 "pass"（放行）')
        entries = frozenset(strings_of(raw, "entries", f, "context", i))
        label = f"{f.label}例外规则第{i}条“{name}”"
        rules.append(ContextRule(name, markers, quoted, entries, Verdict(verdict), label))
    return tuple(rules)


def _paragraph(text: str, start: int, end: int) -> tuple[str, int]:
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    return text[a : len(text) if b == -1 else b], a


def _inside_quotes(para: str, start: int, end: int) -> bool:
    for left, right in _QUOTES:
        o = para.rfind(left, 0, start)
        if o != -1 and para.find(right, o + 1, start) == -1 and para.find(right, end) != -1:
            return True
    for q in _STRAIGHT:
        if para.count(q, 0, start) % 2 == 1 and para.find(q, end) != -1:
            return True
    return False


def applicable(
    text: str, start: int, end: int, wrong: str, rules: tuple[ContextRule, ...]
) -> tuple[ContextRule, str] | None:
    """The first rule that covers this hit, and the marker that made it apply."""
    para, offset = _paragraph(text, start, end)
    s, e = start - offset, end - offset
    for rule in rules:
        if rule.entries and wrong not in rule.entries:
            continue
        if rule.quoted and not _inside_quotes(para, s, e):
            continue
        outside = para[:s] + "\x00" + para[e:]  # the hit itself is no marker
        marker = next((m for m in rule.markers if m in outside), None)
        if marker is not None:
            return rule, marker
    return None
