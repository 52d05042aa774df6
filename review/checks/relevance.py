"""Duty relevance: is the draft directly about the bureau's duties (不得发布与职能没有直接关联的信息)?

Words are matched whole, after jieba segmentation with every lexicon term added to its dictionary,
so 人民政府 never counts as 民政 and 养老保险 (人社) never as 养老. Scores and term lists live in
``duties.toml`` for the bureau to edit; this module only weighs them and explains the verdict.
Who is acting and what kind of text it is (``agency.py``, ``relevance_actor.py``) weigh as much
as the words: another department's own action is blocked however many of our words it uses.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from review.checks.agency import (
    Actor,
    AgencyLexicon,
    detect_actor,
    nature_hits,
    offer_prices,
    parse_agencies,
)
from review.checks.normalize import Normalized
from review.checks.relevance_actor import Nature, weigh_actor
from review.checks.types import CheckResult, Evidence, Verdict

NAME = "relevance"

#: ``tokens(text)`` yields (word, start, end) for the whole-word segmentation of ``text``
TokenizeFn = Callable[[str], Iterable[tuple[str, int, int]]]


@dataclass(frozen=True)
class Area:
    name: str
    strong: frozenset[str]
    weak: frozenset[str]
    organ: bool = False


@dataclass(frozen=True)
class Elsewhere:
    """A function that belongs to another body (moved out in a reform, or never ours)."""

    name: str
    to: str
    terms: frozenset[str]


@dataclass(frozen=True)
class DutyLexicon:
    areas: tuple[Area, ...]
    elsewhere: tuple[Elsewhere, ...]
    commerce: frozenset[str]
    commerce_patterns: tuple[re.Pattern[str], ...]
    supervision: frozenset[str]
    party: frozenset[str]
    scoring: dict[str, Any] = field(default_factory=dict)
    agencies: AgencyLexicon = field(default_factory=AgencyLexicon)

    @functools.cached_property
    def index(self) -> dict[str, tuple[tuple[str, int, bool], ...]]:
        """word → ((group, base weight, strong duty word?), ...); groups as in :func:`_scan`."""
        idx: dict[str, list[tuple[str, int, bool]]] = {}
        for area in self.areas:
            for word in area.strong | area.weak:
                strong = word in area.strong
                idx.setdefault(word, []).append((area.name, 2 if strong else 1, strong))
                if not area.organ:
                    idx[word].append(("#duty", 2 if strong else 1, False))
                    if strong:
                        idx[word].append(("#strong", 2, False))
        for other in self.elsewhere:
            for word in other.terms:
                idx.setdefault(word, []).append(("@" + other.name, 2, False))
        for word in self.commerce:
            idx.setdefault(word, []).append(("commerce", 2, False))
        for word in self.supervision:
            idx.setdefault(word, []).append(("supervision", 2, False))
        for word in self.party:
            idx.setdefault(word, []).append(("party", 1, False))
        return {w: tuple(roles) for w, roles in idx.items()}

    def all_terms(self) -> set[str]:
        terms: set[str] = set(self.commerce) | set(self.supervision) | set(self.party)
        for a in self.areas:
            terms |= a.strong | a.weak
        for e in self.elsewhere:
            terms |= e.terms
        return terms


def parse_duties(data: dict[str, Any]) -> DutyLexicon:
    areas = tuple(
        Area(
            a["name"],
            frozenset(a.get("strong", ())),
            frozenset(a.get("weak", ())),
            a.get("organ", False),
        )
        for a in data.get("area", ())
    )
    elsewhere = tuple(
        Elsewhere(e["name"], e["to"], frozenset(e["terms"]))
        for e in [*data.get("moved", ()), *data.get("other", ())]
    )
    com = data.get("commerce", {})
    return DutyLexicon(
        areas=areas,
        elsewhere=elsewhere,
        commerce=frozenset(com.get("terms", ())),
        commerce_patterns=tuple(re.compile(p) for p in com.get("patterns", ())),
        supervision=frozenset(com.get("supervision", ())),
        party=frozenset(data.get("party", {}).get("terms", ())),
        scoring=dict(data.get("scoring", {})),
        agencies=parse_agencies(data),
    )


@dataclass
class _Hits:
    """Distinct terms found, each with its weight and first evidence."""

    weight: dict[str, int] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)

    def add(self, term: str, w: int, ev: Evidence) -> None:
        if w > self.weight.get(term, 0):
            self.weight[term] = w
        self.evidence.setdefault(term, ev)

    @property
    def score(self) -> int:
        return sum(self.weight.values())


def _scan(
    fields: list[tuple[str, Normalized, int]],
    lex: DutyLexicon,
    tokens: TokenizeFn,
    actor: Actor | None = None,
) -> dict[str, _Hits]:
    """Group whole-word hits by area / elsewhere name / 'commerce' / 'supervision' / 'party'.

    Another body's words do not count inside an agency's name (区市场监管局 is a partner, not
    market regulation), nor, when the bureau leads a joint action, what its partners looked at."""
    groups: dict[str, _Hits] = {}
    spans = actor.spans if actor else ()
    incidental = lex.agencies.incidental if actor and actor.joint else frozenset()
    for field_name, norm, factor in fields:
        index = lex.index
        named = [(a, b) for f, a, b in spans if f == field_name]
        for word, start, end in tokens(norm.text):
            roles = index.get(word)
            if roles is None:
                continue
            a, b = norm.span(start, end)
            ev = Evidence(norm.original[a:b], a, b, field_name)
            aside = word in incidental or any(x < end and start < y for x, y in named)
            for group, weight, _ in roles:
                if aside and group.startswith("@"):
                    continue
                scale = 1 if group in ("commerce", "supervision") else factor
                groups.setdefault(group, _Hits()).add(word, weight * scale, ev)
        for pat in lex.commerce_patterns:
            for m in pat.finditer(norm.text):
                a, b = norm.span(m.start(), m.end())
                ev = Evidence(norm.original[a:b], a, b, field_name)
                groups.setdefault("commerce", _Hits()).add(m.group(), 2, ev)
    return groups


def _terms(h: _Hits, limit: int = 4) -> str:
    ranked = sorted(h.weight, key=lambda t: -h.weight[t])
    return "、".join(ranked[:limit])


def _nature(title: Normalized, body: Normalized, lex: DutyLexicon, supervised: bool) -> Nature:
    hits = nature_hits(f"{title.text}\n{body.text}", lex.agencies)
    return Nature(
        court=tuple(hits.get("court", ())),
        school=tuple(hits.get("school", ())),
        cadre=tuple(hits.get("cadre", ())),
        sales=tuple(hits.get("sales", ())),
        prices=tuple(offer_prices(title.text, body.text, lex.agencies)),
        supervised=supervised,
    )


def check_relevance(
    title: Normalized, body: Normalized, kind: str, lex: DutyLexicon, tokens: TokenizeFn
) -> CheckResult:
    s = lex.scoring
    pass_score = int(s.get("pass_score", 2))
    actor = detect_actor(title.text, body.text, lex.agencies)
    groups = _scan(
        [("title", title, int(s.get("title_factor", 2))), ("body", body, 1)], lex, tokens, actor
    )
    organ_names = {a.name for a in lex.areas if a.organ}
    duty = {k: v for k, v in groups.items() if k in {a.name for a in lex.areas}}
    specific = {k: v for k, v in duty.items() if k not in organ_names}
    d_score = groups["#duty"].score if "#duty" in groups else 0
    has_strong = "#strong" in groups
    organ_score = sum(h.score for k, h in duty.items() if k in organ_names)
    away = {k[1:]: v for k, v in groups.items() if k.startswith("@")}
    n_score = sum(h.score for h in away.values())
    com = groups.get("commerce", _Hits())
    supervised = "supervision" in groups
    party = groups.get("party", _Hits())

    def evid(*hs: _Hits) -> tuple[Evidence, ...]:
        out = [ev for h in hs for ev in h.evidence.values()]
        return tuple(sorted(out, key=lambda e: (e.field != "title", e.start))[:12])

    top = sorted(specific.items(), key=lambda kv: -kv[1].score)[:3]
    duty_text = "；".join(f"{k}：{_terms(h)}" for k, h in top)
    away_top = sorted(away.items(), key=lambda kv: -kv[1].score)[:2]
    elsewhere_to = {e.name: e.to for e in lex.elsewhere}
    away_text = "；".join(f"{k}（{_terms(h, 3)}）— {elsewhere_to[k]}" for k, h in away_top)
    total = d_score + organ_score

    verdict: Verdict
    generic = f"（仅有泛用词：{_terms(groups['#duty'])}）" if d_score else ""
    if com.score >= int(s.get("commerce_block", 4)) and not supervised:
        verdict, reason = Verdict.BLOCK, f"商业推广（{_terms(com)}），即使使用了民政词语也不得发布"
    elif n_score > 0 and (not has_strong or n_score > 2 * d_score):
        verdict, reason = Verdict.BLOCK, away_text
    elif not has_strong and organ_score == 0 and (d_score < pass_score or party.score):
        if party.score:
            verdict = Verdict.WARN
            reason = f"机关党建或一般性工作（{_terms(party)}），未见具体民政职能，请人工确认"
        else:
            verdict, reason = Verdict.BLOCK, f"未发现与民政职能直接相关的内容{generic}"
    elif n_score > 0 and not (d_score >= 2 * n_score and d_score >= 2 * pass_score):
        verdict, reason = Verdict.WARN, f"{duty_text}；但涉及 {away_text}，请人工确认"
    elif com.score >= 2:
        verdict, reason = (
            Verdict.WARN,
            f"{duty_text or '民政综合'}；含商业词语（{_terms(com)}），请人工确认",
        )
    elif has_strong and d_score >= pass_score:
        verdict, reason = Verdict.PASS, duty_text
    elif party.score:
        verdict = Verdict.WARN
        reason = f"机关党建或一般性工作（{_terms(party)}），未见具体民政职能，请人工确认"
    elif total >= pass_score and not s.get("organ_only_warn", True):
        verdict, reason = Verdict.PASS, "民政综合"
    else:
        verdict = Verdict.WARN
        found = "、".join(sorted({*specific, *(organ_names & duty.keys())}))
        reason = f"民政职能词语较少或只有泛用词（{found}），请人工确认"
    weighed = weigh_actor(actor, _nature(title, body, lex, supervised), verdict, tuple(com.weight))
    if weighed is not None:
        verdict, reason = weighed
    elif actor.joint and verdict is Verdict.PASS:
        how = "与其他部门联合开展、联合发文" if actor.co_issued else "牵头的联合行动"
        reason = f"{reason}；本局（{actor.name}）{how}"
    if verdict is Verdict.BLOCK and kind == "转载":
        verdict, reason = Verdict.WARN, f"转载稿件：{reason}；如属规定转发请人工确认"
    elif (
        verdict is Verdict.BLOCK
        and kind == "留言答复"
        and com.score < int(s.get("commerce_block", 4))
    ):
        # answering a citizen's message is the bureau's duty, even when it points elsewhere
        verdict, reason = Verdict.WARN, f"留言答复：{reason}；请审核人确认答复内容"
    ev = evid(*(h for _, h in top), *(h for _, h in away_top), com, party)
    if not ev and verdict is not Verdict.BLOCK:
        ev = evid(*duty.values())
    if actor.mention is not None:  # who acts, as the editor wrote it
        norm = title if actor.where == "title" else body
        a, b = norm.span(actor.mention.start, actor.mention.end)
        ev = (Evidence(norm.original[a:b], a, b, actor.where), *ev)
    return CheckResult(NAME, verdict, reason, ev)
