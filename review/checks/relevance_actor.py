"""Weigh who is acting and what kind of text it is against the duty-word verdict (issue 13).

The duty words say *what* a post is about; this says *whose business* it is. Another department's
own action, a court case, a school activity or a sales pitch is not the bureau's to publish even
when it is full of our words (养老机构, 留守儿童, 树葬); the bureau leading a joint action is. Each
rule returns the verdict and its one-line Chinese reason, or None to keep the words' verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from review.checks.agency import AMOUNT, Actor
from review.checks.types import Verdict


@dataclass(frozen=True)
class Nature:
    """Markers of the kind of text, found in title and body."""

    court: tuple[str, ...] = ()
    school: tuple[str, ...] = ()
    cadre: tuple[str, ...] = ()
    sales: tuple[str, ...] = ()
    prices: tuple[str, ...] = ()  # distinct prices of an offer, not of a published standard
    supervised: bool = False  # 查处/整治/提醒…: commerce is the object of supervision


def _amount(price: str) -> str:
    """The amount a price phrase ends on or starts with (2980元 in 单人间每月2980元)."""
    m = AMOUNT.search(price)
    return m.group() if m else price


def _top(terms: tuple[str, ...], n: int = 3) -> str:
    return "、".join(terms[:n])


def weigh_actor(
    actor: Actor, nature: Nature, words: Verdict, commerce: tuple[str, ...]
) -> tuple[Verdict, str] | None:
    """The verdict the actor and the nature impose, or None when the duty words decide.

    ``words`` is the verdict of the duty words alone; ``commerce`` the commercial terms found."""
    name = actor.name
    group = actor.mention.group if actor.mention else None
    found = tuple(dict.fromkeys((*nature.sales, *commerce)))
    # one phrase counts once: 元起 inside 3000元起; a price once (月费3000元 beside 3000元起)
    sales = tuple(t for t in found if not any(t != u and t in u for u in found))
    sales += tuple(p for p in nature.prices if not any(_amount(p) in t for t in sales))
    # several prices of one offer are a pitch even without a sales word (单人间…元，双人间…元)
    pitch = len(sales) >= 2 or len(nature.prices) >= 2
    if pitch and not nature.supervised and not actor.own_leads:
        who = f"，行为主体为{name}" if name else ""
        return Verdict.BLOCK, f"商业推广（{_top(sales, 4)}）{who}，即使使用了民政词语也不得发布"
    if len(nature.prices) >= 2 and not nature.supervised and words is not Verdict.BLOCK:
        # the bureau named first (「经市民政局备案的某养老院，单人间每月…元」) is not yet its notice
        return (
            Verdict.WARN,
            f"含多个价格（{_top(nature.prices)}），未见收费标准或补贴字样；"
            "如属本局公布的收费标准请写明，否则属商业推广，请人工确认",
        )
    if actor.own_leads:
        return None
    if group is None:
        if len(nature.court) >= 2:
            return (
                Verdict.BLOCK,
                f"法院审判、案例（{_top(nature.court)}），属司法机关职责，非本局职责",
            )
        others = [m for m in actor.partners if m.group.kind != "own"]
        if others and len(others) == len(actor.partners) and words is Verdict.PASS:
            return (
                Verdict.WARN,
                f"与{others[0].text}等共同开展，未见本局为行为主体，请人工确认是否属本局工作",
            )
        if nature.cadre and words is not Verdict.BLOCK:
            return (
                Verdict.WARN,
                f"离退休干部工作（{_top(nature.cadre)}），属老干部部门或各单位自身工作，请人工确认",
            )
        return None
    if group.kind == "company":
        if words is Verdict.BLOCK:
            return None
        return Verdict.WARN, f"行为主体为{name}（企业经营单位），请人工确认是否属商业宣传"
    duty = f"属其职责（{group.to}）" if group.to else "属其职责"
    if group.kind == "court":
        marks = f"（{_top(nature.court)}）" if nature.court else ""
        reason = f"行为主体为{name}，法院审判、案例发布{marks}，属司法机关职责，非本局职责"
    elif group.kind == "school":
        reason = f"行为主体为{name}，学校活动，{duty}，非本局职责"
    else:
        reason = f"行为主体为{name}，{duty}，非本局职责"
    if actor.own_partner:
        return Verdict.WARN, f"{reason}；本局为配合单位，如属本局工作请人工确认"
    return Verdict.BLOCK, reason
