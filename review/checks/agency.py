"""Who is acting in a post, and what kind of text it is (issue 13).

Duty words alone let through other departments acting on topics next to ours (a market-regulation
inspection of elderly-care canteens, a court's 赡养 judgment, a 残联 job advert) and blocked the
bureau leading a joint inspection. So before the words are weighed we find the *acting agency*:
``由…牵头`` / ``…牵头`` first, else the first agency named in the title, else the first one in the
lead sentence that is not a partner (``联合/会同/携手…`` put the name after them in second place).
Names listed as equals before 联合 (「A与B联合印发」) lead together: the bureau among them leads
(a co-issued text), else the one named first. Several prices of an offer mark a sales pitch.
Agency names, their kinds and the nature markers live in ``duties.toml`` ([[agency]], [nature]).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: kinds of agency; "own" = the bureau, its units and affiliated institutions
KINDS = ("own", "other", "court", "school", "company")
#: text right before a name that makes it a partner or an object, not the actor
_PARTNER_BEFORE = re.compile(
    r"(?:(?:联合|会同|携手|协同|配合|邀请)[\u4e00-\u9fa5]{0,4}|同|和|与|及|、|向|对|为|在|经|给)$"
)
_LEAD_BY = re.compile(r"由([^，。；、]{1,30}?)牵头")
_LEAD_AFTER = re.compile(r"(?:作为[^，。]{0,20}牵头单位|牵头|主办|会同|联合|携手)")
#: what joins names listed as equals: in 「A与B联合…」 A and B lead together
_JOINED = re.compile(r"(?:与|和|同|及|以及|、|跟)")
_FIRM_HEAD = re.compile(r"[\u4e00-\u9fa5A-Za-z]{1,4}$")
#: words that show the characters before 公司/陵园 are not the firm's name
_FUNCTION = re.compile(r"[去的在了到和与是为陪给对向从把被看选]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fa5]")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
#: the amount of a price (2980元 in 单人间每月2980元): one price however many patterns match it
AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*万?元")
#: the level shown before a name (市民政局, 区市场监管局); place names themselves are left out
_LEVEL = frozenset("省市区县乡镇")


@dataclass(frozen=True)
class AgencyKind:
    """One group of agency names: who they are and where their business belongs."""

    name: str
    kind: str
    names: tuple[str, ...]
    to: str = ""


@dataclass(frozen=True)
class AgencyLexicon:
    groups: tuple[AgencyKind, ...] = ()
    #: nature markers: kind of text → terms (court, school, cadre, sales)
    nature: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: other departments' words that only say what a joint action looked at (消防, 食品安全…)
    incidental: frozenset[str] = frozenset()
    #: the price of one offer (单人间每月2980元, 2980元/月, 床位费1500元)
    prices: tuple[re.Pattern[str], ...] = ()
    #: words that make the prices after them a published standard or subsidy (低保标准, 补贴)
    public_fee: tuple[str, ...] = ()
    by_name: dict[str, AgencyKind] = field(init=False, repr=False, compare=False)
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {n: g for g in self.groups for n in g.names}
        object.__setattr__(self, "by_name", by_name)
        object.__setattr__(self, "pattern", re.compile(_trie_regex(by_name) or "(?!)"))


def _trie_regex(words: Iterable[str]) -> str:
    """One alternation factorised by common prefixes, longest match first: the regex engine
    then tries one branch per character instead of every name at every position."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def parse_agencies(data: dict[str, Any]) -> AgencyLexicon:
    groups = []
    for g in data.get("agency", ()):
        kind = g.get("kind", "other")
        if kind not in KINDS:
            raise ValueError(f"duties.toml [[agency]] {g.get('name')}: kind 须为 {KINDS} 之一")
        groups.append(AgencyKind(g["name"], kind, tuple(g.get("names", ())), g.get("to", "")))
    nat = data.get("nature", {})
    special = ("incidental", "price", "public_fee")
    nature = {k: tuple(v) for k, v in nat.items() if k not in special}
    return AgencyLexicon(
        tuple(groups),
        nature,
        frozenset(nat.get("incidental", ())),
        tuple(re.compile(p) for p in nat.get("price", ())),
        tuple(nat.get("public_fee", ())),
    )


@dataclass(frozen=True)
class Mention:
    text: str  # as written, with its place prefix (e.g. 曹妃甸区市场监管局)
    start: int
    end: int
    group: AgencyKind
    partner: bool  # named after 联合/会同/和… : a partner, not the actor


@dataclass(frozen=True)
class Actor:
    """The acting agency found in a post (``mention`` is None when none is named)."""

    mention: Mention | None
    where: str = ""  # "title" | "body"
    own_leads: bool = False  # the bureau or one of its units leads (也 in a joint action)
    own_partner: bool = False  # the bureau takes part but another body leads
    partners: tuple[Mention, ...] = ()  # every other name (partners, objects, later mentions)
    spans: tuple[tuple[str, int, int], ...] = ()  # (field, start, end) of every name found
    co_issued: bool = False  # named with others as equals (「A与B联合印发」): leads jointly

    @property
    def kind(self) -> str:
        return self.mention.group.kind if self.mention else ""

    @property
    def name(self) -> str:
        return self.mention.text if self.mention else ""

    @property
    def joint(self) -> bool:
        """The bureau leads and another body is named with it: a joint action."""
        return self.own_leads and any(m.group.kind != "own" for m in self.partners)


def mentions(text: str, lex: AgencyLexicon) -> list[Mention]:
    """Every agency name in ``text`` in order, each marked partner or not."""
    out = []
    for m in lex.pattern.finditer(text):
        group = lex.by_name[m.group()]
        start = m.start()
        if group.kind == "company":  # a firm is named by the words before 公司/陵园
            head = _FIRM_HEAD.search(text, max(0, start - 4), start)
            start = head.start() if head and not _FUNCTION.search(head.group()) else start
        elif start and text[start - 1] in _LEVEL:  # 市/区/县 民政局
            start -= 1
        before = text[max(0, start - 6) : start]
        partner = bool(_PARTNER_BEFORE.search(before))
        out.append(Mention(text[start : m.end()], start, m.end(), group, partner))
    return out


def _lead_sentence(body: str) -> tuple[int, int]:
    """The span of the body's first real sentence (with Chinese text; at most 160 characters)."""
    start = 0
    while True:
        m = _SENTENCE_END.search(body, start, start + 160)
        end = m.start() if m else min(len(body), start + 160)
        if len(_HAN_RUN.findall(body[start:end])) >= 4 or m is None:
            return start, end
        start = m.end()


def _listed(m: Mention, ms: list[Mention], text: str) -> list[Mention]:
    """The names listed as equals up to ``m``, first named first: in 「A与B联合」「A、B和C联合」
    the 联合 belongs to the whole list, so each of them leads (the bureau first, else A)."""
    i = j = ms.index(m)
    while i and _JOINED.fullmatch(text, ms[i - 1].end, ms[i].start):
        i -= 1
    return ms[i : j + 1]


def detect_actor(title: str, body: str, lex: AgencyLexicon) -> Actor:
    """Find who acts: explicit 牵头 first, then the title, then the lead sentence."""
    t_ms = mentions(title, lex)
    b_ms = mentions(body, lex)
    spans = tuple(("title", m.start, m.end) for m in t_ms) + tuple(
        ("body", m.start, m.end) for m in b_ms
    )
    begin, end = _lead_sentence(body)
    near = [*t_ms, *(m for m in b_ms if begin <= m.start < end)]  # title and lead sentence
    led: list[tuple[str, Mention]] = []
    shared: list[Mention] = []  # named with others as equals before 联合/会同/牵头
    for where, text, ms in (("title", title, t_ms), ("body", body, b_ms)):
        for by in _LEAD_BY.finditer(text):  # 由…牵头 counts wherever it is written
            led += [(where, m) for m in ms if by.start(1) <= m.start < by.end(1)]
        for m in ms:
            if m in near and _LEAD_AFTER.match(text, m.end):
                listed = _listed(m, ms, text)
                led += [(where, x) for x in listed]
                shared += [x for x in listed if len(listed) > 1]
    own_led = [x for x in led if x[1].group.kind == "own"]
    lead: tuple[str, Mention] | None = own_led[0] if own_led else (led[0] if led else None)
    if lead is None:
        first = [m for m in t_ms if not m.partner]
        if first:
            lead = ("title", first[0])
        else:
            first = [m for m in b_ms if begin <= m.start < end and not m.partner]
            if first:
                lead = ("body", first[0])
    if lead is None:
        return Actor(None, spans=spans, partners=tuple(near))
    where, actor = lead
    others = [m for m in (*t_ms, *b_ms) if m is not actor]
    own_leads = actor.group.kind == "own"
    # the bureau takes part when it is named in the title or the lead sentence
    own_partner = not own_leads and any(m.group.kind == "own" for m in near)
    return Actor(actor, where, own_leads, own_partner, tuple(others), spans, actor in shared)


def nature_hits(text: str, lex: AgencyLexicon) -> dict[str, list[str]]:
    """Nature markers found in ``text`` (raw substrings: these are multi-character phrases)."""
    return {k: [t for t in terms if t in text] for k, terms in lex.nature.items()}


def offer_prices(title: str, body: str, lex: AgencyLexicon) -> list[str]:
    """The distinct prices of an offer in ``body`` (several of them make a sales pitch).

    A price is a published standard or subsidy, not an offer, when a ``public_fee`` word comes
    before it in its sentence (城市低保标准由每人每月760元…) or anywhere in the title."""
    if any(w in title for w in lex.public_fee):
        return []
    # where the amount starts → the phrase's span, joined over the patterns: 床位费1500元/月 once
    found: dict[int, tuple[int, int]] = {}
    for pat in lex.prices:
        for m in pat.finditer(body):
            amount = AMOUNT.search(m.group())
            if amount is None:
                continue
            cut = max(body.rfind(c, 0, m.start()) for c in "。！？!?；;\n") + 1
            if any(w in body[cut : m.start()] for w in lex.public_fee):
                continue
            a, b = found.get(m.start() + amount.start(), (m.start(), m.end()))
            found[m.start() + amount.start()] = (min(a, m.start()), max(b, m.end()))
    return [body[a:b] for a, b in (found[k] for k in sorted(found))]
