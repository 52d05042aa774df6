"""The citizen a 留言答复 or 来信回复 is addressed to (issue 13).

A reply names its writer once, in the salutation (``尊敬的庞秀梅女士：您好！``), and then says
``您`` — so a later sentence that states a fact about "您" (经核实您家庭人口3人…) is about that
named person, though the name is not in the sentence. Only sentences that report the outcome of a
check on the writer count; a reply that explains a policy (您咨询的…年满80周岁) does not.
"""

from __future__ import annotations

import re

_SALUTATION = re.compile(
    r"^[\s\"“]*(?:尊敬的)?(?:市民|网友|群众|来信人|留言人|信访人)?"
    r"([\u4e00-\u9fff]{2,4}?)(?:同志|女士|先生|老师)?\s*[：:，,]\s*(?:您好|你好)"
)
#: a sentence about the writer's own case: the result of a check, or their household
_ABOUT_YOU = re.compile(
    r"(?:经核实|经查|经审核|经核查|经复核|经调查|经走访|已为您|已为你|已将您|已将你)[，,\s]{0,2}[您你](?!所|提到|反映|咨询|来信|留言|说)"
    r"|[您你](?:家|的家庭|本人|患|为|系|今年|现年|属于|已被|已纳入|被认定)"
)


def addressee(text: str, surnames: frozenset[str]) -> tuple[int, int] | None:
    """The span of the full name the text opens by addressing, if any."""
    m = _SALUTATION.match(text[:40])
    if not m:
        return None
    a, b = m.span(1)
    name = m.group(1)
    sl = 2 if name[:2] in surnames else 1 if name[0] in surnames else 0
    if sl == 0 or not 1 <= len(name) - sl <= 2:
        return None
    return a, b


def about_addressee(sentence: str) -> bool:
    return bool(_ABOUT_YOU.search(sentence))
