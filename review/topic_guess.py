"""A quick guess at a message's duty area in the callback's fast path, for its deadline.

The acknowledgement promises a date before routing has classified the message (jieba, slow
path), yet ``[inbox.topic_deadline_days]`` gives some topics 2 or 5 working days. So the fast
path guesses the topic with one precompiled regular expression over the same duty terms and
scores (``review/checks/duties.toml``: strong 2, weak 1, another body's terms 2; the aliases of
``review/data/routing.toml``) and promises that topic's deadline; routing then keeps the
promised deadline, so what the citizen is told and what is tracked never differ. Substring
hits instead of jieba's whole words make the guess differ from ``routing.classify`` on a few
texts; the deadline then follows the guess, the department the classification.

The pattern is a trie of the terms (one branch per next character), so a 50-character message
is scanned in a few microseconds; the guesser is built once per process.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review.routing import default_rules

DUTIES_FILE = Path(__file__).parent / "checks" / "duties.toml"
_AWAY = "@"


@dataclass(frozen=True)
class TopicGuesser:
    pattern: re.Pattern[str]
    #: term → ((area or "@" + other body, weight), ...)
    weights: Mapping[str, tuple[tuple[str, int], ...]]
    aliases: Mapping[str, str]
    default_topic: str

    def guess(self, text: str) -> str:
        """The settings topic name the text is most likely about (the default topic when no
        duty term wins)."""
        scores: dict[str, int] = {}
        weights = self.weights
        for hit in self.pattern.findall(text):
            for group, weight in weights[hit]:
                scores[group] = scores.get(group, 0) + weight
        best, best_score, away = None, 0, 0
        for group, score in scores.items():  # the first of the highest, as classify's max()
            if group[0] == _AWAY:
                away = max(away, score)
            elif score > best_score:
                best, best_score = group, score
        if best is None or away > best_score:
            return self.default_topic
        return self.aliases.get(best, best)

    def prefilter(self, topics: Iterable[str]) -> re.Pattern[str] | None:
        """The terms of ``topics`` alone: a text with none of them cannot be guessed as one of
        them, so the full guess runs only when one occurs. None when the default topic is among
        them (then every text needs the guess)."""
        wanted = set(topics)
        if self.default_topic in wanted:
            return None
        return trie_pattern(
            term
            for term, groups in self.weights.items()
            if any(self.aliases.get(group, group) in wanted for group, _ in groups)
        )


def trie_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any of ``terms``, longest first at each position."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    end = ""
    for term in terms:
        if not term:
            continue
        node = root
        for ch in term:
            node = node.setdefault(ch, {})
        node[end] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end in node:  # a term ends here: the longer ones are optional
            return f"(?:{body})?"
        return body

    return re.compile(emit(root) or "(?!)")


def build(duties: dict[str, Any], aliases: Mapping[str, str], default: str) -> TopicGuesser:
    """From the parsed ``duties.toml``: its ``[[area]]`` strong/weak terms, ``[[moved]]`` and
    ``[[other]]`` bodies' terms."""
    weights: dict[str, list[tuple[str, int]]] = {}
    for area in duties.get("area", ()):
        for term in area.get("strong", ()):
            weights.setdefault(term, []).append((area["name"], 2))
        for term in area.get("weak", ()):
            weights.setdefault(term, []).append((area["name"], 1))
    for other in (*duties.get("moved", ()), *duties.get("other", ())):
        for term in other.get("terms", ()):
            weights.setdefault(term, []).append((_AWAY + other["name"], 2))
    return TopicGuesser(
        trie_pattern(weights),
        {t: tuple(w) for t, w in weights.items()},
        dict(aliases),
        default,
    )


@functools.cache
def default_guesser() -> TopicGuesser:
    """From the shipped duty terms and routing aliases (built once, ≈ 20 ms)."""
    rules = default_rules()
    duties = tomllib.loads(DUTIES_FILE.read_text(encoding="utf-8"))
    return build(duties, rules.aliases, rules.default_topic)
