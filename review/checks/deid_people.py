"""Private people named next to something sensitive about them (issue 13, 去标识化).

A name alone is not personal data worth blocking — officials, award winners and the people a
寻亲公告 looks for are named on purpose. What the 民政 practice forbids is a private person's full
name *with* an attribute that singles them out: age, illness, disability grade, an address below
the community, an aid amount, the family situation, a fragment of the ID number. So the check
looks sentence by sentence: only a sentence that holds such an attribute is searched for names,
which keeps the gate fast and the false alarms few.

Names come from two sources: jieba's part-of-speech tags (``nr``) and context rules (a role such
as 低保户/邻居/患者 before the name, 男/女 or an age after it, a name opening a list row). The
surname list guards both. Masked forms (张*国), 某-names and pseudonyms never count. Two cases
the sentence alone cannot show are delegated: table rows whose header names the sensitive columns
(``deid_tables``) and the addressee of a reply, who is "您" in later sentences (``deid_replies``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from review.checks.deid_numbers import is_household
from review.checks.deid_replies import about_addressee, addressee
from review.checks.deid_rules import (
    AGE,
    AMOUNT,
    DISABILITY,
    GENDER_AFTER,
    HOUSEHOLD,
    ID_FRAGMENT,
    ID_WRITTEN,
    SCHOOL_GRADE,
    DeidRules,
)
from review.checks.deid_tables import official_rows, table_people
from review.checks.deid_tagger import TAGGER as TAGGER  # re-exported: lexicons warms it up

_SENTENCE = re.compile(r"[^。！？!?；;\n]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
#: characters that end a name rather than continue it
_STOP = set("在的于等家因是和与及为已将向把被说患现今年住男女系之其了也都到从对给让由自经共各每")
#: verbs that often follow a two-character name; their first character is no given name
_VERBS_AFTER = {"反映", "表示", "介绍", "告诉", "认为", "透露", "坦言", "回忆", "感慨", "说道"}
#: what may stand right before a name that a private-life word follows (的佘金凤老人), so that
#: 照顾失能老人 is not read as a name 顾失能
_BEFORE_NAME = set("的了位名是对给为向与和见到访在把将")
_PLACE_END = set("村镇乡屯寨街路巷区县市省")
#: stop characters that also open common given names (家明, 向东, 为民, 自强, 和平)
_SOFT_STOP = set("家向为和自经共")
_HONORIFIC = re.compile(
    r"(?:大爷|大妈|大娘|大叔|大姐|大哥|阿姨|奶奶|爷爷|老人|师傅|先生|女士|老师|同学|某)"
)
_MASKED = set("某*＊×xXＸ○〇")
_ROW_START = re.compile(r"^[\s|]*(?:\d{1,4}[.、．)]?[\s|]*)?$")
#: a table row "毛德福 男 78": the number after the gender is the age
_ROW_AGE = re.compile(r"(?<=[男女])[\s，,、|]+\d{1,3}(?=[\s，,、|]|$)")
#: "9岁的柴欣怡": an age right before the name
_AGE_BEFORE = re.compile(
    r"(?:(?:\d{1,3}|[一二三四五六七八九十]{1,3})(?:周岁|岁)|[五六七八九]旬|花甲|古稀|耄耋)的$"
)
#: "佘金凤老人", "戚秀兰女士", "鲍永胜一家": a full name with a private-life word after it
_PRIVATE_AFTER = re.compile(
    r"^(?:老人|老汉|老太|大爷|大妈|大娘|奶奶|爷爷|阿姨|女士|先生|夫妇|一家|家庭|户(?![籍口]))"
)
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


def attributes(sentence: str, offset: int, rules: DeidRules) -> list[Attribute]:
    found: list[Attribute] = []
    for kind, pattern in (
        ("年龄", AGE),
        ("残疾等级", DISABILITY),
        ("救助金额", AMOUNT),
        ("身份证号片段", ID_FRAGMENT),
        ("身份证号片段", ID_WRITTEN),
        ("年级", SCHOOL_GRADE),
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
    if j + 1 < len(s) and s[j] in _SOFT_STOP and _HAN.match(s[j + 1]) and s[j + 1] not in _STOP:
        # 王家明, 殷向东: a given name may open with 家/向…, if a stop closes it right after
        if j + 2 >= len(s) or not _HAN.match(s[j + 2]) or s[j + 2] in _STOP:
            return i, j + 2
    if j >= len(s) or not _HAN.match(s[j]) or s[j] in _STOP:
        return None
    if j + 1 < len(s) and _HAN.match(s[j + 1]) and s[j + 1] not in _STOP:
        if s[j + 1 : j + 3] not in _VERBS_AFTER:  # 石丽反映: the name is 石丽
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
        role = rules.role_before.search(before)
        if (
            not role
            and before
            and _HAN.match(before[-1])
            and before[-1] not in _BEFORE_NAME
            and TAGGER.is_word(before[-1] + s[i])
        ):
            continue  # 公司员工, 照顾失能: the "surname" belongs to the word before it
        if (
            (role and (not weak or re.match(r"(?:[，,、（(：:]|$)", after)))
            or GENDER_AFTER.match(after)
            or _AGE_AFTER.match(after)
            or (
                _PRIVATE_AFTER.match(after)
                and span[1] - span[0] >= 3
                and not weak
                and (not before or not _HAN.match(before[-1]) or before[-1] in _BEFORE_NAME)
            )
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
    if re.match(r"(?:老师|师傅)", after) or rules.place_after.match(after):
        return True
    if name[-1] in _PLACE_END:  # 杨家村, 石桥镇
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
    hits = [
        PersonHit(text[a:b], a, b, mask_name(text[a:b], surnames), tuple(Attribute(*x) for x in xs))
        for a, b, xs in table_people(text, surnames, rules)
    ]
    every = attributes(text, 0, rules)  # one pass over the whole text, then per sentence
    if not every:
        return hits
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
    you = addressee(text, surnames)
    if (
        you
        and not _exempt(text, *you, text[: you[1] + 12], rules)
        and not rules.title_after.match(text[you[0] + 1 : you[1]])  # 王局长：您好
    ):
        told = tuple(
            x
            for sm in _SENTENCE.finditer(text)
            if about_addressee(sm.group())
            for x in every
            if sm.start() <= x.start < sm.end()
        )
        if told and not any(h.start < you[1] and you[0] < h.end for h in hits):
            name = text[you[0] : you[1]]
            hits.append(PersonHit(name, *you, mask_name(name, surnames), told))
    staff = official_rows(text)
    return sorted(
        (
            h
            for h in hits
            if not _named_as_official(text, h.name, rules)
            and not any(x <= h.start < y for x, y in staff)
        ),
        key=lambda h: h.start,
    )


_APPOINTED = re.compile(r"(?:任命|拟任|提名|推荐|选举|聘任|任免)[^。；\n]{0,6}$")


def _named_as_official(text: str, name: str, rules: DeidRules) -> bool:
    """The same name with a title, 同志 or an appointment elsewhere in the text: a 任前公示 gives
    an official's birth date on purpose."""
    for m in re.finditer(re.escape(name), text):
        before, after = text[max(0, m.start() - 12) : m.start()], text[m.end() : m.end() + 14]
        if (
            rules.title_before.search(before)
            or rules.title_after.match(after)
            or re.match(r"同志(?![：:，,])", after)
            or _APPOINTED.search(before)
        ):
            return True
    return False


def _has_strong(attrs: tuple[Attribute, ...]) -> bool:
    """A tagger-only name counts with an attribute that is about one person, not a topic word."""
    return any(
        x.kind in ("年龄", "年级", "残疾等级", "住址", "身份证号片段", "救助金额") for x in attrs
    )
