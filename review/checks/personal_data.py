"""Personal data: resident ID numbers, mobile and landline numbers, bank cards, name lists, and
private people named next to a sensitive attribute (``deid_people``, issue 13).

A number counts only when it validates (GB 11643 check digit, Luhn, mobile prefixes), so dates,
document numbers (长民发〔2026〕12号), order numbers and already-masked numbers pass. Each hit
comes with its masked form (``220102********1234``, ``138****5678``) for the editor to paste.
Public service numbers are listed in ``public_numbers.txt`` and the bureau's own file (``[lists]``).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from stdnum import luhn
from stdnum.cn import ric

from review.checks.deid_numbers import Hit, find_more_numbers
from review.checks.deid_people import PersonHit, find_people
from review.checks.deid_rules import DeidRules, default_rules
from review.checks.normalize import Normalized, normalize
from review.checks.types import CheckResult, Evidence, Verdict

NAME = "personal_data"

#: 18 characters, optionally grouped by single spaces or dashes (6-8-4 or in fours)
_ID = re.compile(r"(?<![0-9A-Za-z])\d(?:[ \t-]?\d){16}[ \t-]?[0-9Xx](?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9A-Za-z*])[1-9](?:[ -]?\d){15,18}(?![0-9A-Za-z*])")
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z*])(?:(?:\+|00)\s?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![0-9A-Za-z*])"
)
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z*])(\(0\d{2,3}\)|0\d{2,3})[\s-]?([2-9]\d{6,7})(?:-\d{1,5})?(?![0-9A-Za-z*])"
)
_NOT_PERSONAL_BEFORE = re.compile(
    r"(?:订单|单号|编号|流水号|文号|合同号|登记证号|信用代码|证书号|批次|邮编|序号|条码|代码)[^\n]{0,6}$"
)
_ORG_PHONE_BEFORE = re.compile(
    r"(?:咨询|服务|监督|投诉|举报|求助|值班|办公|热线|报名|救助|受理)[^\n]{0,8}$"
)
_NAME_BEFORE = re.compile(
    r"([\u4e00-\u9fff]{2,4})[\s:：,，、（(]*(?:身份证号?码?|电话|手机号?码?|卡号)?[\s:：]*$"
)


@dataclass(frozen=True)
class PersonalDataLexicon:
    public_numbers: frozenset[str]  # digits only
    surnames: frozenset[str]
    deid: DeidRules | None = None  # None: the shipped data/deid.toml

    @property
    def rules(self) -> DeidRules:
        return self.deid or default_rules()


__all__ = ["Hit", "PersonHit", "PersonalDataLexicon", "check_personal_data", "find_numbers"]


def _birth_date_ok(yyyymmdd: str) -> bool:
    """A real calendar date from 1900 on (region codes are not checked: they change over time)."""
    try:
        born = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return born.year >= 1900


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit() or c in "Xx").upper()


def mask_id(d: str) -> str:
    return d[:6] + "*" * (len(d) - 10) + d[-4:]


def mask_mobile(d: str) -> str:
    return d[:3] + "****" + d[-4:]


def mask_card(d: str) -> str:
    return d[:6] + "*" * (len(d) - 10) + d[-4:]


def mask_landline(area: str, number: str) -> str:
    return f"{area}-{'*' * (len(number) - 4)}{number[-4:]}"


def find_numbers(text: str, lex: PersonalDataLexicon) -> list[Hit]:
    """Every personal number in the (normalised) ``text``, without overlaps, in order."""
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken) and not _NOT_PERSONAL_BEFORE.search(
            text[max(0, a - 14) : a]
        )

    def add(hit: Hit) -> None:
        hits.append(hit)
        taken.append((hit.start, hit.end))

    for m in _ID.finditer(text):
        d = _digits(m.group())
        if not free(m.start(), m.end()):
            continue
        if not _birth_date_ok(d[6:14]):
            continue
        if ric.calc_check_digit(d) == d[17]:  # (stdnum drops the last char itself)
            add(Hit("身份证号", m.start(), m.end(), mask_id(d), Verdict.BLOCK))
        else:
            add(Hit("疑似身份证号（校验位不符）", m.start(), m.end(), mask_id(d), Verdict.WARN))
    for m in _CARD.finditer(text):
        d = _digits(m.group())
        if 16 <= len(d) <= 19 and free(m.start(), m.end()) and luhn.is_valid(d):
            add(Hit("银行卡号", m.start(), m.end(), mask_card(d), Verdict.BLOCK))
    for m in _MOBILE.finditer(text):
        d = m.group(1) + m.group(2) + m.group(3)
        if free(m.start(), m.end()) and d not in lex.public_numbers:
            add(Hit("手机号", m.start(), m.end(), mask_mobile(d), Verdict.BLOCK))
    for m in _LANDLINE.finditer(text):
        area, number = m.group(1).strip("()"), m.group(2)
        if not free(m.start(), m.end()):
            continue
        if area + number in lex.public_numbers or number in lex.public_numbers:
            continue
        level = (
            Verdict.WARN
            if _ORG_PHONE_BEFORE.search(text[max(0, m.start() - 14) : m.start()])
            else Verdict.BLOCK
        )
        add(Hit("固定电话", m.start(), m.end(), mask_landline(area, number), level))
    for extra in find_more_numbers(text):
        if free(extra.start, extra.end):
            add(extra)
    return sorted(hits, key=lambda h: h.start)


def _names_with_numbers(norm: Normalized, hits: list[Hit], lex: PersonalDataLexicon) -> list[str]:
    names: list[str] = []
    for h in hits:
        m = _NAME_BEFORE.search(norm.text[max(0, h.start - 16) : h.start])
        if m:
            cand = m.group(1)
            for i in range(len(cand) - 1):  # the name is the tail that starts with a surname
                if cand[i] in lex.surnames or cand[i : i + 2] in lex.surnames:
                    names.append(cand[i:])
                    break
    return names


def _show(h: Hit) -> str:
    return h.masked or "（删去门牌，地址只写到社区）"


def check_personal_data(
    fields: list[tuple[str, Normalized]], kind: str, lex: PersonalDataLexicon
) -> CheckResult:
    evidence: list[Evidence] = []
    fixes: list[str] = []
    kinds: list[str] = []
    worst = Verdict.PASS
    names: list[str] = []
    people: list[str] = []
    n_numbers = 0
    doc = "\n".join(norm.text for _, norm in fields)
    for field_name, norm in fields:
        hits = find_numbers(norm.text, lex)
        n_numbers += len(hits)
        names += _names_with_numbers(norm, hits, lex)
        for h in hits:
            a, b = norm.span(h.start, h.end)
            evidence.append(Evidence(norm.original[a:b], a, b, field_name))
            fixes.append(f"{norm.original[a:b]} → {_show(h)}")
            if h.kind not in kinds:
                kinds.append(h.kind)
            worst = max(worst, h.level, key=lambda v: v.rank)
        for p in find_people(norm.text, lex.surnames, lex.rules, doc):
            a, b = norm.span(p.start, p.end)
            evidence.append(Evidence(norm.original[a:b], a, b, field_name))
            attrs = "、".join(dict.fromkeys(x.kind for x in p.attributes))
            people.append(f"{p.name}（{attrs}）")
            fixes.append(f"{p.name} → {p.masked}")
            for x in p.attributes[:3]:
                xa, xb = norm.span(x.start, x.end)
                evidence.append(Evidence(norm.original[xa:xb], xa, xb, field_name))
                if x.kind == "住址":
                    fixes.append(f"{norm.original[xa:xb]} → （删去，地址只写到社区）")
            worst = Verdict.BLOCK
    if worst is Verdict.PASS:
        return CheckResult(NAME, Verdict.PASS, "未发现个人信息")
    parts = []
    if kinds:
        parts.append("、".join(kinds) + f"（{n_numbers}处）")
    if people:
        parts.append("私人姓名与敏感信息同现：" + "；".join(dict.fromkeys(people[:5])))
    reason = "含个人信息：" + "；".join(parts)
    if len(names) >= 2:
        reason += f"；姓名与号码成列（{'、'.join(names[:3])}…），属个人信息名单"
    elif worst is Verdict.WARN:
        reason += "；请确认是否为单位公开号码（可加入本局公开号码表，见设置 [lists]）或更正"
    suggestion = "请去标识化：" + "；".join(dict.fromkeys(fixes[:12]))
    if names and not people:
        suggestion += "；姓名仅保留姓氏（如“张*”）"
    if people and kind != "答复":  # a reply is not a draft
        suggestion += "；可用「newmedia draft mask 编号」一步套用"
    overridable = worst is Verdict.BLOCK and kind == "惩戒性公示"
    if overridable:
        reason += "；惩戒性公示确需公开的，须经负责人书面说明并留痕后放行"
    return CheckResult(NAME, worst, reason, tuple(evidence), suggestion, overridable)


def mask_text(text: str, lex: PersonalDataLexicon) -> str:
    """``text`` with every personal number replaced by its masked form (for replies and logs)."""
    norm = normalize(text)
    out = text
    for h in reversed(find_numbers(norm.text, lex)):
        a, b = norm.span(h.start, h.end)
        out = out[:a] + h.masked + out[b:]
    return out
