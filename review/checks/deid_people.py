"""Private people named next to something sensitive about them (issue 13, 去标识化).

A name alone is not personal data worth blocking — officials, award winners and the people a
寻亲公告 looks for are named on purpose. What the 民政 practice forbids is a private person's full
name *with* an attribute that singles them out: age, illness, disability grade, an address below
the community, an aid amount, the family situation, a fragment of the ID number. So the check
looks sentence by sentence: only a sentence that holds such an attribute is searched for names,
which keeps the gate fast and the false alarms few.

Names come from two sources: jieba's part-of-speech tags (``nr``) and context rules (a role such
as 低保户/邻居/患者 before the name, 男/女 or an age after it, a name opening a list row). The
surname list guards both. Masked forms (张*国), 某-names and pseudonyms never count.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from dataclasses import dataclass

import jieba
import jieba.posseg

from review.checks.deid_numbers import is_household
from review.checks.deid_rules import (
    AGE,
    AMOUNT,
    DISABILITY,
    GENDER_AFTER,
    HOUSEHOLD,
    ID_FRAGMENT,
    DeidRules,
)

_SENTENCE = re.compile(r"[^。！？!?；;\n]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
#: characters that end a name rather than continue it
_STOP = set("在的于等家因是和与及为已将向把被说患现今年住男女系之其了也都到从对给让由自经共各每")
_HONORIFIC = re.compile(
    r"(?:大爷|大妈|大娘|大叔|大姐|大哥|阿姨|奶奶|爷爷|老人|师傅|先生|女士|老师|同学|某)"
)
_MASKED = set("某*＊×xXＸ○〇")
_ROW_START = re.compile(r"^[\s|]*(?:\d{1,4}[.、．)]?[\s|]*)?$")
#: a table row "毛德福 男 78": the number after the gender is the age
_ROW_AGE = re.compile(r"(?<=[男女])[\s，,、|]+\d{1,3}(?=[\s，,、|]|$)")
#: "9岁的柴欣怡": an age right before the name
_AGE_BEFORE = re.compile(r"(?:\d{1,3}|[一二三四五六七八九十]{1,3})(?:周岁|岁)的$")
_AGE_AFTER = re.compile(r"^[\s，,、（(]*(?:今年|现年|年仅)?\d{1,3}(?:周岁|岁)")


@dataclass(frozen=True)
class Attribute:
    kind: str  # "年龄" | "疾病" | "残疾等级" | "住址" | "救助金额" | "家庭状况" | "身份证号片段"
    start: int
    end: int


@dataclass(frozen=True)
class PersonHit:
    name: str
    start: int
    end: int
    masked: str
    attributes: tuple[Attribute, ...]


def mask_name(name: str, surnames: frozenset[str]) -> str:
    """张建国 → 张*国, 张伟 → 张*, 欧阳明 → 欧阳*."""
    sl = 2 if name[:2] in surnames and len(name) > 2 else 1
    given = name[sl:]
    if len(given) <= 1:
        return name[:sl] + "*"
    return name[:sl] + "*" * (len(given) - 1) + given[-1]


class _Tagger:
    """jieba's part-of-speech tagger on a private tokenizer, loaded once, safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pos: jieba.posseg.POSTokenizer | None = None

    def warm_up(self, tokenizer: jieba.Tokenizer | None = None) -> None:
        """Load the tags now, over ``tokenizer`` (the gate's, already loaded: saves ~1 s and
        its memory) or a private one; the first call wins."""
        with self._lock:
            if self._pos is None:
                jieba.setLogLevel(logging.WARNING)
                if tokenizer is None:
                    tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                self._pos = jieba.posseg.POSTokenizer(tokenizer)

    def names(self, text: str) -> list[tuple[int, int]]:
        """Spans the tagger labels ``nr`` (a person's name)."""
        if self._pos is None:
            self.warm_up()
        assert self._pos is not None
        out = []
        pos = 0
        pairs = [(p.word, p.flag) for p in self._pos.cut(text)]
        freq = self._pos.tokenizer.FREQ
        for k, (word, flag) in enumerate(pairs):
            nxt = pairs[k + 1] if k + 1 < len(pairs) else ("", "")
            if flag == "nr" and len(word) == 1 and nxt[1] == "nr" and len(nxt[0]) <= 2:
                out.append((pos, pos + 1 + len(nxt[0])))  # jieba often cuts 杜|海燕
            # a frequent dictionary word tagged nr (祝福, 杨柳) is rarely a private person
            elif flag == "nr" and 2 <= len(word) <= 4 and freq.get(word, 0) < 100:
                out.append((pos, pos + len(word)))
            pos += len(word)
        return out


TAGGER = _Tagger()


def attributes(sentence: str, offset: int, rules: DeidRules) -> list[Attribute]:
    found: list[Attribute] = []
    for kind, pattern in (
        ("年龄", AGE),
        ("残疾等级", DISABILITY),
        ("救助金额", AMOUNT),
        ("身份证号片段", ID_FRAGMENT),
        ("疾病", rules.illness),
        ("家庭状况", rules.family),
    ):
        for m in pattern.finditer(sentence):
            found.append(Attribute(kind, offset + m.start(), offset + m.end()))
    for m in _ROW_AGE.finditer(sentence):
        found.append(Attribute("年龄", offset + m.start(), offset + m.end()))
    for m in HOUSEHOLD.finditer(sentence):
        if is_household(sentence, m) or _after_place(sentence[: m.start()]):
            found.append(Attribute("住址", offset + m.start(), offset + m.end()))
    return found


def _after_place(before: str) -> bool:
    return bool(
        re.search(r"(?:社区|小区|村|路|街|巷|胡同|弄|街道|大道|苑|屯|家住|住在|住)$", before)
    )


def _take_name(s: str, i: int, surnames: frozenset[str]) -> tuple[int, int] | None:
    sl = 2 if s[i : i + 2] in surnames else 1
    j = i + sl
    if j >= len(s) or not _HAN.match(s[j]) or s[j] in _STOP:
        return None
    if j + 1 < len(s) and _HAN.match(s[j + 1]) and s[j + 1] not in _STOP:
        return i, j + 2
    return i, j + 1


def _candidates(
    s: str, surnames: frozenset[str], rules: DeidRules, *, tagger: bool
) -> dict[tuple[int, int], bool]:
    """Name spans in sentence ``s`` → whether a context rule (not only the tagger) found it.
    ``tagger``: ask jieba too (only worth it where a tagger-only name could count)."""
    found: dict[tuple[int, int], bool] = {}
    for i, ch in enumerate(s):
        if ch not in surnames and s[i : i + 2] not in surnames:
            continue
        span = _take_name(s, i, surnames)
        if span is None:
            continue
        before, after = s[max(0, i - 10) : i], s[span[1] :]
        weak = ch in rules.weak_surnames  # 和/于/时…: only 男/女 or an age right after
        if (
            (rules.role_before.search(before) and not weak)
            or GENDER_AFTER.match(after)
            or _AGE_AFTER.match(after)
            or (_AGE_BEFORE.search(before) and not weak)
            or (_ROW_START.match(s[:i]) and re.match(r"^[\s，,、:：（(|]", after) and not weak)
        ):
            found[span] = True
    for span in TAGGER.names(s) if tagger else ():
        if s[span[0]] in rules.weak_surnames:
            continue
        if s[span[0]] in surnames or s[span[0] : span[0] + 2] in surnames:
            found.setdefault(span, False)
    return found


def _exempt(text: str, a: int, b: int, sentence: str, rules: DeidRules) -> bool:
    name = text[a:b]
    after = text[b : b + 8]
    if any(c in _MASKED for c in name) or (after[:1] and after[0] in _MASKED):
        return True
    if name in rules.not_names or name[:2] in rules.not_names or _HONORIFIC.search(name[1:]):
        return True
    if _HONORIFIC.match(after) or rules.place_after.match(after):
        return True
    if rules.title_before.search(text[max(0, a - 12) : a]) or rules.title_after.match(after):
        return True
    if rules.pseudonym.search(after[:6]) or rules.pseudonym.search(text[max(0, a - 4) : a]):
        return True
    return bool(rules.award.search(sentence))


_ALL_PSEUDONYMS = re.compile(r"(?:均|皆|系|为)化名|人名.{0,4}化名|化名处理")


@functools.lru_cache(maxsize=16)  # asked once per field with the same whole text
def _whole_text_exempt(doc: str, rules: DeidRules) -> bool:
    """A 寻亲/认领 notice, a text that opens as a 表彰, or one whose names are all 化名."""
    return bool(
        rules.search.search(doc) or rules.award.search(doc[:120]) or _ALL_PSEUDONYMS.search(doc)
    )


def find_people(
    text: str, surnames: frozenset[str], rules: DeidRules, doc: str | None = None
) -> list[PersonHit]:
    """Private people named in ``text`` (normalised) next to a sensitive attribute. ``doc``: the
    whole draft (title included), for what a whole text is — a 寻亲公告, a 表彰 list."""
    if _whole_text_exempt(text if doc is None else doc, rules):
        return []
    surnames = surnames | rules.more_surnames
    every = attributes(text, 0, rules)  # one pass over the whole text, then per sentence
    if not every:
        return []
    hits: list[PersonHit] = []
    for sm in _SENTENCE.finditer(text):
        off, end = sm.start(), sm.end()
        attrs = [x for x in every if off <= x.start < end]
        if not attrs:
            continue
        s = sm.group()
        found = _candidates(s, surnames, rules, tagger=_has_strong(tuple(attrs)))
        # at one start, a span a context rule found wins over the tagger's, then the longer
        for (a, b), by_rule in sorted(found.items(), key=lambda x: (x[0][0], not x[1], -x[0][1])):
            a, b = a + off, b + off
            if _exempt(text, a, b, s, rules):
                continue
            near = tuple(x for x in attrs if x.end <= a or x.start >= b)
            if not near or not (by_rule or _has_strong(near)):
                continue
            if any(h.start < b and a < h.end for h in hits):
                continue
            name = text[a:b]
            hits.append(PersonHit(name, a, b, mask_name(name, surnames), near))
    return hits


def _has_strong(attrs: tuple[Attribute, ...]) -> bool:
    """A tagger-only name counts with an attribute that is about one person, not a topic word."""
    return any(x.kind in ("年龄", "残疾等级", "住址", "身份证号片段", "救助金额") for x in attrs)
