"""Personal numbers written the way people write them: Chinese-numeral mobiles, WeChat/QQ ids,
personal e-mail addresses, household addresses down to the room and ID-number fragments.

The digit forms (ID, card, mobile, landline) stay in ``personal_data``; this module adds what a
regex on digits misses. Agency contacts pass: gov.cn/org e-mail, an official account's id, an
office's address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from review.checks.deid_rules import (
    BARE_ROOM_END,
    DASHED_ROOM,
    ESTATE_END,
    HOUSEHOLD,
    ID_FRAGMENT,
)
from review.checks.types import Verdict


@dataclass(frozen=True)
class Hit:
    kind: str  # "身份证号" | "手机号" | "固定电话" | "银行卡号" | "微信号" | …
    start: int  # in the normalised text
    end: int
    masked: str
    level: Verdict


_CN_DIGIT = {c: str(i) for i, c in enumerate("零一二三四五六七八九")} | {"〇": "0", "幺": "1"}
_CN_MOBILE = re.compile(
    r"(?<![零〇一二三四五六七八九幺十])一[三四五六七八九](?:[\s-]?[零〇一二三四五六七八九幺]){9}(?![零〇一二三四五六七八九幺十百千万])"
)
_WECHAT = re.compile(
    r"(?:(?<!公众)(?:微信号?|微信账号)\s*(?:号|是|为)?\s*[:：]?\s*"
    r"|(?<![A-Za-z0-9_])(?:wechat|WeChat|vx|VX|wx|WX)\s*[:：]\s*"
    r"|(?<=[\u4e00-\u9fff])(?:vx|VX|wx|WX|wechat|WeChat)\s*)"
    r"([A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9@])"
)
_QQ = re.compile(r"(?:QQ|qq|扣扣)\s*(群)?\s*(?:号码?|是|为)?\s*[:：]?\s*([1-9]\d{4,11})(?!\d)")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@((?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,12})"
)
#: free mail services: an address there belongs to a person unless an agency labels it
_FREE_MAIL = re.compile(
    r"(?:^|\.)(?:qq|foxmail|163|126|yeah|sina|sohu|139|189|gmail|hotmail|outlook|live|yahoo|aliyun|icloud|msn)\.(?:com|net|cn|com\.cn)$",
    re.I,
)
_ORG_MAIL = re.compile(r"\.(?:gov\.cn|org\.cn|org|edu\.cn|gov)$", re.I)
_ORG_BEFORE = re.compile(
    r"(?:投稿|报名|监督|举报|咨询|投诉|来稿|征集|联系|办公|服务|单位|官方|公众号|热线|意见)[^\n。]{0,10}$"
)
_OFFICE_BEFORE = re.compile(
    r"(?:局|办公|大厅|中心|政务|服务站|窗口|会议|机关|大楼|大厦|办事处|委员会|福利院|管理站|医院|学校)[^\n。]{0,14}$"
)
_HOME_BEFORE = re.compile(r"(?:家住|住址|居住|住在|家庭地址|现住|户籍地|住所)[^\n。]{0,20}$")


def _mask_middle(s: str, keep_head: int = 3, keep_tail: int = 4) -> str:
    return s[:keep_head] + "*" * max(1, len(s) - keep_head - keep_tail) + s[-keep_tail:]


def _bare_room(text: str, m: re.Match[str]) -> bool:
    """A room number without 室 or 号: after a building (3栋2单元501, 3幢501), or the dashed
    form right after an estate's name (幸福小区5-2-501) — people write their door this way."""
    units = m.group()
    if BARE_ROOM_END.search(units):
        return True
    return bool(DASHED_ROOM.fullmatch(units)) and bool(ESTATE_END.search(text[: m.start()]))


def _to_the_door(text: str, m: re.Match[str]) -> bool:
    """Down to one door: a 室, a 号 after a building unit (14号楼2门101号, 3栋5号) or a bare
    room number."""
    units = m.group()
    return (
        "室" in units
        or bool(re.search(r"(?:号楼|栋|幢|座|单元|门)[-—]?\d{1,5}号$", units))
        or _bare_room(text, m)
    )


def is_household(text: str, m: re.Match[str]) -> bool:
    """A run of units that locates one home: a room, a 单元, at least two units or a bare room
    number."""
    units = m.group()
    return (
        "室" in units
        or "单元" in units
        or len(re.findall(r"[号栋幢座楼层组户]", units)) >= 2
        or _bare_room(text, m)
    )


def find_more_numbers(text: str) -> list[Hit]:
    hits: list[Hit] = []
    for m in _CN_MOBILE.finditer(text):
        raw = m.group()
        digits = "".join(_CN_DIGIT.get(c, "") for c in raw)
        if len(digits) == 11:
            cn = "".join(c for c in raw if c in _CN_DIGIT)
            hits.append(Hit("手机号（汉字）", m.start(), m.end(), _mask_middle(cn), Verdict.BLOCK))
    for m in _WECHAT.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        if "公众号" in before or "搜索" in before:
            continue
        hits.append(
            Hit("微信号", m.start(1), m.end(1), _mask_middle(m.group(1), 2, 2), Verdict.BLOCK)
        )
    for m in _QQ.finditer(text):
        group = bool(m.group(1))
        level = Verdict.WARN if group else Verdict.BLOCK
        hits.append(
            Hit(
                "QQ群号" if group else "QQ号",
                m.start(2),
                m.end(2),
                _mask_middle(m.group(2), 2, 2),
                level,
            )
        )
    for m in _EMAIL.finditer(text):
        domain = m.group(1)
        if _ORG_MAIL.search(domain) or not _FREE_MAIL.search(domain):
            continue
        local = m.group().split("@", 1)[0]
        masked = local[:2] + "***@" + domain
        before = text[max(0, m.start() - 14) : m.start()]
        labelled = _ORG_BEFORE.search(before) and not re.search(r"私人|个人", before)
        hits.append(
            Hit("个人邮箱", m.start(), m.end(), masked, Verdict.WARN if labelled else Verdict.BLOCK)
        )
    for m in HOUSEHOLD.finditer(text):
        if not _to_the_door(text, m) or not is_household(text, m):
            continue
        before = text[max(0, m.start() - 24) : m.start()]
        if _OFFICE_BEFORE.search(before) and not _HOME_BEFORE.search(before):
            continue
        hits.append(Hit("家庭住址（到户）", m.start(), m.end(), "", Verdict.BLOCK))
    for m in ID_FRAGMENT.finditer(text):
        tail = re.search(r"[\dXx]{4,8}$", m.group())
        if tail:
            a = m.start() + tail.start()
            hits.append(Hit("身份证号片段", a, m.end(), "*" * (m.end() - a), Verdict.BLOCK))
    return hits
