"""A cheap "is this plainly another body's business?" test for the passive reply.

The real classifier (jieba, :mod:`review.routing`) is slow work done after the reply. Here we only
look up every 2–8 character substring in two sets built from the gate's duty lexicon: when a
message names another body's business (养老金, 交警, 医保 …) and no 民政 term at all, the
acknowledgement already points the citizen to that body and the 12345 hotline. The ticket is
still created; a person still sees it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from review.checks import default_lexicons


@dataclass(frozen=True, slots=True)
class Outside:
    terms: tuple[str, ...]
    to: str


class QuickScope:
    def __init__(self, duty_terms: set[str], elsewhere: dict[str, str]) -> None:
        self._duty = frozenset(t for t in duty_terms if len(t) >= 2)
        self._away = {t: to for t, to in elsewhere.items() if len(t) >= 2}
        lengths = {len(t) for t in self._duty | self._away.keys()}
        self._lengths = tuple(sorted(n for n in lengths if n <= 8))

    def outside(self, text: str) -> Outside | None:
        if not text or len(text) > 2000:
            return None
        found: dict[str, str] = {}
        for i in range(len(text)):
            for n in self._lengths:
                piece = text[i : i + n]
                if len(piece) < n:
                    break
                if piece in self._duty:
                    return None
                to = self._away.get(piece)
                if to is not None:
                    found.setdefault(piece, to)
        if not found:
            return None
        first_to = next(iter(found.values()))
        terms = tuple(t for t, to in found.items() if to == first_to)
        return Outside(terms[:3], first_to)


@functools.cache
def default_quick_scope() -> QuickScope:
    duties = default_lexicons().duties
    duty_terms: set[str] = set()
    for area in duties.areas:
        duty_terms |= area.strong | area.weak
    elsewhere = {t: e.to for e in duties.elsewhere for t in e.terms}
    return QuickScope(duty_terms, elsewhere)
