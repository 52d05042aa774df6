"""Apply the personal-data check's suggestions in one step: the "apply the masking" action.

Pure: text in, masked text and the list of changes out. Every occurrence of a flagged name is
masked (the name appears again later without its attribute), numbers take their masked form and a
household address loses everything below the community. Running it twice changes nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from review.checks.deid_people import find_people
from review.checks.normalize import normalize
from review.checks.personal_data import PersonalDataLexicon, find_numbers


@dataclass(frozen=True)
class Masking:
    text: str
    changes: tuple[tuple[str, str], ...]  # (original, replacement) in order of appearance

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def flagged_names(text: str, lex: PersonalDataLexicon) -> dict[str, str]:
    """Name → masked form for every private person the check flags in ``text``."""
    return {p.name: p.masked for p in find_people(normalize(text).text, lex.surnames, lex.rules)}


def apply_masking(
    text: str, lex: PersonalDataLexicon, names: Mapping[str, str] | None = None
) -> Masking:
    """``text`` with the personal data the gate finds replaced by masked forms; ``names``:
    more names to mask (flagged in another field of the same draft, e.g. the body's in the
    title)."""
    norm = normalize(text)
    spans: list[tuple[int, int, str]] = []  # in the normalised text

    def add(a: int, b: int, new: str) -> None:
        if a < b and all(b <= x or a >= y for x, y, _ in spans):
            spans.append((a, b, new))

    for h in find_numbers(norm.text, lex):
        add(h.start, h.end, h.masked)
    for p in find_people(norm.text, lex.surnames, lex.rules):
        for x in p.attributes:
            if x.kind == "住址":
                add(x.start, x.end, "")
        for m in re.finditer(re.escape(p.name), norm.text):
            add(m.start(), m.end(), p.masked)
    for name, masked in (names or {}).items():
        for m in re.finditer(re.escape(name), norm.text):
            add(m.start(), m.end(), masked)
    out = text
    changes: list[tuple[str, str]] = []
    for a, b, new in sorted(spans, reverse=True):
        oa, ob = norm.span(a, b)
        changes.append((text[oa:ob], new))
        out = out[:oa] + new + out[ob:]
    return Masking(out, tuple(reversed(changes)))


def mask_fields(fields: dict[str, str], lex: PersonalDataLexicon) -> dict[str, Masking]:
    """:func:`apply_masking` on several fields (title, body, digest) at once; a name flagged in
    one field is masked in all of them."""
    names: dict[str, str] = {}
    for value in fields.values():
        names.update(flagged_names(value, lex))
    return {name: apply_masking(value, lex, names) for name, value in fields.items() if value}
