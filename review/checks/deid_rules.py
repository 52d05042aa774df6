"""The word lists of the de-identification check, compiled once into regular expressions.

The lists live in ``data/deid.toml`` so the bureau can extend them without touching code;
the patterns that combine them (ages, disability grades, household addresses, aid amounts) are
here because they are syntax, not vocabulary.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEID_FILE = Path(__file__).parent / "data" / "deid.toml"

_CN_NUM = "零〇一二两三四五六七八九十百"
#: one household unit: 3栋, 2单元, 501室, 十二号, 5组, 3-2-501
_UNIT = rf"(?:\d{{1,5}}|[{_CN_NUM}]{{1,4}})(?:号楼|栋|幢|座|单元|门|楼|层|室|号院|号|户|组)"
#: a residential building or entrance (3栋, 3号楼, 3幢, 2单元): a bare number after it is a room
_BUILDING = rf"(?:\d{{1,5}}|[{_CN_NUM}]{{1,4}})(?:号楼|栋|幢|单元)"
#: … unless it counts something (3栋1200平方米, 2单元30户, 1号楼2023年竣工, 5栋1,200人)
_NOT_ROOM_AFTER = r"[\d%％年月日时分秒元万千百亿平米㎡亩余多套户人名位间个台辆次件天岁份张床层楼栋幢号室座门期批项吨斤克mMkK]|[.．,，]\d"
#: the room written without 室 or 号 (3栋2单元501, 3幢501, 3号楼-1203)
_BARE_ROOM = rf"{_BUILDING}[-—]?\d{{3,4}}(?!{_NOT_ROOM_AFTER})"
HOUSEHOLD = re.compile(
    rf"(?:{_UNIT}[-—]?){{0,4}}{_BARE_ROOM}|(?:{_UNIT}[-—]?){{1,5}}|\d{{1,4}}-\d{{1,3}}-\d{{1,4}}室?"
)
#: the end of a run that is a bare room (see ``_BARE_ROOM``)
BARE_ROOM_END = re.compile(r"(?:号楼|栋|幢|单元)[-—]?\d{3,4}$")
#: 5-2-501: building, entrance, room — a home only right after a residential estate's name
DASHED_ROOM = re.compile(r"\d{1,3}-\d{1,2}-\d{3,4}")
ESTATE_END = re.compile(r"(?:小区|花园|家园|苑|公寓|新村|大院|社区|公寓楼|宿舍)\s*$")
#: markers that end the public part of an address (it may be given down to these)
COMMUNITY_END = re.compile(
    r"(?:社区|小区|村|家园|花园|公寓|大院|新村|苑|里|屯|路|街|巷|胡同|弄|大街|大道)$"
)
AGE = re.compile(  # not an average (平均年龄81岁), not the tail of a longer number
    r"(?<!平均年龄)(?<!平均年龄为)(?<!平均)(?<!\d)"
    rf"(?:(?:今年|现年|年仅|年满)?(?:\d{{1,3}}|[{_CN_NUM}]{{1,4}})(?:周岁|岁)(?!以[上下]|及以|至|到|-)"
    rf"|年龄\s*[:：]?\s*\d{{1,3}}|(?:19|20)\d\d年(?:\d{{1,2}}月(?:\d{{1,2}}日)?(?:出生|生)|出生|生人)"
    rf"|(?:今年|现年|年已)[一二三四五六七八九]?十[一二三四五六七八九]?(?:有[一二三四五六七八九])?"
    rf"(?![月日号年个次项件名位人户元万千百多余])"
    rf"|(?:年过|年近|年逾|已过|年届)(?:[五六七八九]旬|花甲|古稀|耄耋|期颐|半百)"
    rf"|[五六七八九]旬(?:老人|老汉|老妇)?)"
)
#: a child's school year (小学四年级, 初二, 高一): as telling as an age
SCHOOL_GRADE = re.compile(
    r"[一二三四五六1-6]年级"
    r"|(?:(?<![\u4e00-\u9fff])|(?<=中学)|(?<=学校))(?:初|高)[一二三](?:学生)?(?=[，,、。；\s）)]|$)"
)
DISABILITY = re.compile(
    rf"(?:视力|听力|言语|肢体|智力|精神|多重)(?:残疾)?\s*[{_CN_NUM}1-4]\s*级"
    rf"|残疾等级\s*[:：]?\s*[{_CN_NUM}1-4]|[{_CN_NUM}1-4]级(?:残疾|伤残)|残疾证号?"
)
AMOUNT = re.compile(
    r"(?:救助|补助|保障|慰问|低保|补贴|资助|临时救助|保障金|救助金|补助金|金额|标准)"
    r"[^。；\n]{0,12}?\d[\d,.]*\s*(?:元|万元)(?:/月|/年|每月)?"
    r"|\d[\d,.]*\s*元\s*(?:/月|/年|每月|每人每月)"
)
ID_FRAGMENT = re.compile(
    r"身份证(?:号码?)?(?:的)?(?:前|后|末|尾)(?:[四六八]|[468])位(?:数字)?(?:为|是)?\s*[:：]?\s*[\dXx*]{4,8}"
    r"|身份证(?:号码?)?(?:为|是|:|：)\s*\d{4,6}[*×xX]{4,}"
)
#: an ID number as written after its label, valid or mistyped: about the person named beside it
ID_WRITTEN = re.compile(r"身份证(?:号码?)?\s*[:：]?\s*\d(?:[ -]?\d){16}[ -]?[\dXx]")
GENDER_AFTER = re.compile(r"^[\s，,、（(|]*[男女](?:[，,、）)\s|]|$)")


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class DeidRules:
    role_before: re.Pattern[str]  # a private-person role right before a name
    title_before: re.Pattern[str]  # an official title right before a name
    title_after: re.Pattern[str]  # … or right after it
    award: re.Pattern[str]
    search: re.Pattern[str]
    pseudonym: re.Pattern[str]
    illness: re.Pattern[str]
    family: re.Pattern[str]
    place_after: re.Pattern[str]
    not_names: frozenset[str]
    more_surnames: frozenset[str]  # beyond surnames.txt (rarer and compound ones)
    weak_surnames: frozenset[str]  # also everyday characters: need a context rule


def parse_rules(data: dict[str, Any]) -> DeidRules:
    def words(key: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
            raise ValueError(f"deid.toml：{key} 必须是非空字符串的列表")
        return value

    titles = _alternation(words("official_titles"))
    return DeidRules(
        role_before=re.compile(rf"(?:{_alternation(words('private_roles'))})[\s:：]*$"),
        title_before=re.compile(rf"(?:{titles})(?:、)?\s*$"),
        title_after=re.compile(rf"^\s*(?:同志)?(?:（[^）]{{0,12}}）)?(?:{titles})"),
        award=re.compile(_alternation(words("award_cues"))),
        search=re.compile(_alternation(words("search_cues"))),
        pseudonym=re.compile(_alternation(words("pseudonym_cues"))),
        illness=re.compile(_alternation(words("illnesses"))),
        family=re.compile(_alternation(words("family"))),
        place_after=re.compile(rf"^(?:{_alternation(words('place_suffixes'))})"),
        not_names=frozenset(words("not_names")),
        more_surnames=frozenset(str(data.get("more_surnames", "")))
        | frozenset(words("more_compound_surnames")),
        weak_surnames=frozenset(str(data.get("weak_surnames", ""))),
    )


@functools.cache
def default_rules() -> DeidRules:
    """The shipped lists, read once per process."""
    with DEID_FILE.open("rb") as f:
        return parse_rules(tomllib.load(f))
