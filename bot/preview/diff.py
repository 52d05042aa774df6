"""What changed since the revision a reviewer saw last, sentence by sentence (pure).

Chinese paragraphs are long single lines, so a line diff would mark a whole paragraph for one
changed word; the body is cut into sentences (after 。！？；, and at line ends) and compared with
``difflib``, so a reviewer sees the sentences added and removed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_SENTENCE = re.compile(r"[^。！？；!?;\n]*[。！？；!?;]+[”’」』）)]*|[^。！？；!?;\n]+")


@dataclass(frozen=True)
class Change:
    op: str  # "+" added, "-" removed
    text: str


@dataclass(frozen=True)
class Diff:
    """The changes from revision ``old_number`` (the one seen last) to ``new_number``."""

    old_number: int
    new_number: int
    changes: tuple[Change, ...]
    title_from: str = ""  # the old title when it changed

    @property
    def added(self) -> int:
        return sum(1 for c in self.changes if c.op == "+")

    @property
    def removed(self) -> int:
        return sum(1 for c in self.changes if c.op == "-")

    def summary(self) -> str:
        if not self.changes and not self.title_from:
            return f"与你上次看过的第 {self.old_number} 版相比：正文未改动。"
        head = f"与你上次看过的第 {self.old_number} 版相比："
        parts = [f"新增 {self.added} 句", f"删去 {self.removed} 句"]
        if self.title_from:
            parts.insert(0, "标题已改")
        return head + "，".join(parts) + "。"


def sentences(body: str) -> list[str]:
    out: list[str] = []
    for line in body.splitlines():
        out += [s.strip() for s in _SENTENCE.findall(line) if s.strip()]
    return out


def compare(
    old_number: int, old_title: str, old_body: str, new_number: int, new_title: str, new_body: str
) -> Diff:
    old, new = sentences(old_body), sentences(new_body)
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "delete"):
            changes += [Change("-", s) for s in old[i1:i2]]
        if op in ("replace", "insert"):
            changes += [Change("+", s) for s in new[j1:j2]]
    title_from = old_title if old_title != new_title else ""
    return Diff(old_number, new_number, tuple(changes), title_from)
