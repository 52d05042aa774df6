"""Private people in a 公示 table whose header says what the columns hold (issue 13).

A row such as ``1 屈海涛 3 1560 向阳社区`` names no attribute itself: the header above it
(``序号 姓名 家庭人口 保障金额 所在社区``) does. So a table whose header has a name column and at
least one sensitive column (age, aid amount, household size, disability, illness, ID, address) makes
every full name in that column a private person with those attributes, whatever the column order.
Tables without a name column (a count per street) and masked names (孙*梅, 王某) pass.
"""

from __future__ import annotations

import re

from review.checks.deid_numbers import is_household
from review.checks.deid_rules import HOUSEHOLD, DeidRules

#: (kind, start, end) of one sensitive cell, in the text's offsets
Cell = tuple[str, int, int]
#: (start, end) of the name and the sensitive cells of its row
Row = tuple[int, int, tuple[Cell, ...]]

_CELL = re.compile(r"[^\s|｜]+")
_NAME_HEADER = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,4}姓名|名字|户主|申请人|受助人|救助对象|保障对象|供养对象)$"
)
_NAME_CUES = ("姓名", "名字", "户主", "申请人", "受助人", "对象")
#: header word → the attribute a cell under it gives; first match wins
_SENSITIVE_HEADERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"年龄|出生|岁"), "年龄"),
    (re.compile(r"残疾"), "残疾等级"),
    (re.compile(r"病|健康状况"), "疾病"),
    (re.compile(r"身份证|证件号"), "身份证号片段"),
    (re.compile(r"住址|地址|门牌|居住地"), "住址"),
    (re.compile(r"金额|保障金|救助金|补助|补贴|发放|资助|元"), "救助金额"),
    (re.compile(r"人口|人数|家庭成员|致困|困难原因|救助原因|供养方式|家庭状况"), "家庭状况"),
)
#: a 任前公示 or staff list: officials, named on purpose with their birth date
_OFFICIAL_HEADER = re.compile(r"职务|职称|职级|拟任|现任|工作单位|任职|岗位|荣誉|称号|事迹")
_NOT_A_NAME = set("某*＊×xXＸ○〇")
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,5}$")


def _cells(line: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _CELL.finditer(line)]


def _header(cells: list[tuple[int, int, str]]) -> tuple[int, dict[int, str]] | None:
    """(index of the name column, {column index: attribute kind}) if this is such a header."""
    name_col = next((i for i, c in enumerate(cells) if _NAME_HEADER.match(c[2])), None)
    if name_col is None or any(_OFFICIAL_HEADER.search(c[2]) for c in cells):
        return None
    kinds: dict[int, str] = {}
    for i, (_, _, word) in enumerate(cells):
        if i == name_col or len(word) > 12:
            continue
        kind = next((k for p, k in _SENSITIVE_HEADERS if p.search(word)), None)
        if kind:
            kinds[i] = kind
    return (name_col, kinds) if kinds else None


def official_rows(text: str) -> list[tuple[int, int]]:
    """Spans of the rows under a header with a name column and 职务/拟任/荣誉…: officials, staff
    or award winners, whose ages and birth dates are published on purpose."""
    if "姓名" not in text:
        return []
    spans: list[tuple[int, int]] = []
    inside = False
    off = 0
    for line in text.split("\n"):
        cells = _cells(line)
        if not cells:
            inside = False
        elif any(_NAME_HEADER.match(c[2]) for c in cells):
            inside = any(_OFFICIAL_HEADER.search(c[2]) for c in cells)
        elif inside:
            spans.append((off, off + len(line)))
        off += len(line) + 1
    return spans


def _is_name(word: str, surnames: frozenset[str], rules: DeidRules) -> bool:
    if not _HAN_NAME.match(word) or any(c in _NOT_A_NAME for c in word):
        return False
    if word in rules.not_names or rules.place_after.search(word[-2:]):
        return False
    sl = 2 if word[:2] in surnames else 1 if word[0] in surnames else 0
    return sl > 0 and 1 <= len(word) - sl <= 2


def _cell_attribute(kind: str, a: int, b: int, value: str) -> Cell | None:
    if kind != "住址":
        return (kind, a, b)
    for m in HOUSEHOLD.finditer(value):  # only the part below the community is sensitive
        if is_household(value, m):
            return (kind, a + m.start(), a + m.end())
    return None


def table_people(text: str, surnames: frozenset[str], rules: DeidRules) -> list[Row]:
    """Full names under a name column of a table that also has a sensitive column (``surnames``
    with the rarer ones already added)."""
    if not any(c in text for c in _NAME_CUES):
        return []
    hits: list[Row] = []
    header: tuple[int, dict[int, str], int] | None = None  # name col, kinds, width
    off = 0
    for line in text.split("\n"):
        cells = _cells(line)
        found = _header(cells) if cells else None
        if found:
            header = (found[0], found[1], len(cells))
        elif not cells:
            header = None  # a blank line ends the table
        elif header and not re.fullmatch(r"[\s|:：\-—]+", line):
            hit = _row(cells, header, off, surnames, rules)
            if hit:
                hits.append(hit)
        off += len(line) + 1
    return hits


def _row(
    cells: list[tuple[int, int, str]],
    header: tuple[int, dict[int, str], int],
    off: int,
    surnames: frozenset[str],
    rules: DeidRules,
) -> Row | None:
    name_col, kinds, width = header
    if len(cells) == width:  # the columns line up: the name is under 姓名
        picks = [name_col]
    else:  # a ragged row (a cell left empty): the first full name in it
        picks = list(range(len(cells)))
    for i in picks:
        a, b, word = cells[i]
        if not _is_name(word, surnames, rules):
            continue
        attrs: list[Cell] = []
        if len(cells) == width:
            for col, kind in kinds.items():
                ca, cb, value = cells[col]
                attr = _cell_attribute(kind, off + ca, off + cb, value)
                if attr:
                    attrs.append(attr)
        else:
            rest = [c for c in cells[i + 1 :] if re.search(r"\d", c[2])]
            kind = next((k for k in kinds.values() if k != "住址"), "家庭状况")
            attrs += [(kind, off + c[0], off + c[1]) for c in rest[:1]]
        if not attrs:
            return None
        return off + a, off + b, tuple(attrs)
    return None
