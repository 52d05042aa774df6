"""Which duty area a citizen's message is about, which department owns it, and is it hot?

Reuses the gate's duty lexicon (``review/checks/duties.toml``) and its whole-word tokenizer, so
the bureau maintains one list of terms; the routing-specific rules (area → settings topic names,
hot topics and hot words, the hotline) are in ``data/routing.toml``. This is slow work (jieba):
it runs after the passive reply, never in the callback's fast path.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review.checks import Lexicons, default_lexicons, normalize

DEFAULT_FILE = Path(__file__).parent / "data" / "routing.toml"


@dataclass(frozen=True, slots=True)
class Topic:
    """The outcome: ``topic`` is a settings topic name; ``elsewhere`` names the body that owns a
    matter outside the bureau's duties (with ``elsewhere_to`` explaining, e.g. 属人社部门)."""

    topic: str
    terms: tuple[str, ...]
    hot: bool
    elsewhere: str | None = None
    elsewhere_to: str | None = None


@dataclass(frozen=True)
class RoutingRules:
    default_topic: str
    hotline: str
    aliases: Mapping[str, str]
    hot_topics: frozenset[str]
    hot_terms: tuple[str, ...]


def load_rules(path: Path | None = None) -> RoutingRules:
    data: dict[str, Any] = tomllib.loads((path or DEFAULT_FILE).read_text(encoding="utf-8"))
    hot = data.get("hot", {})
    return RoutingRules(
        default_topic=str(data.get("default_topic", "民政综合")),
        hotline=str(data.get("hotline", "12345")),
        aliases={str(k): str(v) for k, v in data.get("aliases", {}).items()},
        hot_topics=frozenset(str(t) for t in hot.get("topics", ())),
        hot_terms=tuple(str(t) for t in hot.get("terms", ())),
    )


@functools.cache
def default_rules() -> RoutingRules:
    return load_rules()


def classify(
    text: str, *, rules: RoutingRules | None = None, lexicons: Lexicons | None = None
) -> Topic:
    """Score duty areas by whole-word hits (strong 2, weak 1); the best one wins. With no duty
    word but words of another body, the message is outside our duties (still answered by the
    民政综合 department, who may point the citizen there)."""
    rules = rules or default_rules()
    lex = lexicons or default_lexicons()
    norm = normalize(text)
    scores: dict[str, int] = {}
    terms: dict[str, list[str]] = {}
    away: dict[str, int] = {}
    for word, _start, _end in lex.tokenizer(norm.text):
        for area in lex.duties.areas:
            weight = 2 if word in area.strong else 1 if word in area.weak else 0
            if weight:
                scores[area.name] = scores.get(area.name, 0) + weight
                terms.setdefault(area.name, []).append(word)
        for other in lex.duties.elsewhere:
            if word in other.terms:
                away[other.name] = away.get(other.name, 0) + 2
                terms.setdefault("@" + other.name, []).append(word)
    hot_words = tuple(t for t in rules.hot_terms if t in norm.text)
    best = max(scores, key=lambda k: scores[k]) if scores else None
    if best is not None and (not away or scores[best] >= max(away.values())):
        topic = rules.aliases.get(best, best)
        hot = topic in rules.hot_topics or bool(hot_words)
        return Topic(topic, tuple(dict.fromkeys(terms[best])), hot)
    if away:
        other_name = max(away, key=lambda k: away[k])
        to = next(e.to for e in lex.duties.elsewhere if e.name == other_name)
        found = tuple(dict.fromkeys(terms["@" + other_name]))
        return Topic(rules.default_topic, found, bool(hot_words), other_name, to)
    return Topic(rules.default_topic, (), bool(hot_words))


def department_for(topic: str, departments: Sequence[tuple[int, str]], fallback: int) -> int:
    """The first department whose space-separated ``topics`` include ``topic``; else the one
    holding the default topic; else ``fallback`` (the account's owner department)."""
    for dept_id, topics in departments:
        if topic in topics.split():
            return dept_id
    default = default_rules().default_topic
    for dept_id, topics in departments:
        if default in topics.split():
            return dept_id
    return fallback
