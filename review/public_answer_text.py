"""The words of a public answer (留言答复): the citizen's question de-identified, then the answer.

The question is masked with the gate's own masking (``review.checks.deid_masking``: numbers in
their masked forms, flagged people's names, addresses below the community) plus the names a
citizen gives of themselves and their family (「我叫张桂兰」「我父亲王德福」), which the gate
alone does not flag: in a question they need no age or illness next to them to single out the
writer. Pure: text in, text out; the post body comes from ``templates/replies/public_answer.md.j2``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

import jinja2

import templates
from review.answer_routes import PUBLIC_KIND
from review.checks.deid_masking import Masking, apply_masking
from review.checks.deid_people import mask_name
from review.checks.deid_tagger import TAGGER
from review.checks.lexicons import default_lexicons
from review.checks.personal_data import PersonalDataLexicon
from review.workdays import local_date_text

#: who a citizen names in their own question: themselves and their family
_CUE = re.compile(
    r"(?:我叫|我是|本人|名叫|姓名[:：]?|家父|家母|我(?:的)?(?:父亲|母亲|爸爸|妈妈|爸|妈|爱人|丈夫"
    r"|妻子|老伴|儿子|女儿|孩子|爷爷|奶奶|外公|外婆|姥姥|姥爷|哥哥|姐姐|弟弟|妹妹|公公|婆婆))"
    r"[\s，,、]?"
)
#: a full name with a private-life word after it (刘秀英老人)
_PRIVATE_AFTER = re.compile(r"(?=老人|老汉|老太|大爷|大妈|大娘|奶奶|爷爷|阿姨|女士|先生|一家)")
_HAN = re.compile(r"[\u4e00-\u9fff]")
#: characters that end a name rather than continue it
_STOP = set("在的于等家因是和与及为已将向把被说患现今年住男女系之其了也都到从对给让由自经共各每今")


def _name_at(text: str, i: int, surnames: frozenset[str]) -> str | None:
    """The name starting at ``i`` (a surname, then one or two given characters), if any."""
    sl = 2 if text[i : i + 2] in surnames else 1 if text[i : i + 1] in surnames else 0
    if sl == 0:
        return None
    j = i + sl
    while j < len(text) and j - i - sl < 2 and _HAN.match(text[j]) and text[j] not in _STOP:
        j += 1
    name = text[i:j]
    if j - i - sl == 0 or TAGGER.is_word(name):  # 长春, 王府: a word, not a person
        return None
    return name


def question_names(text: str, lex: PersonalDataLexicon) -> dict[str, str]:
    """Name → masked form for the people a citizen names in their question."""
    surnames = lex.surnames | lex.rules.more_surnames
    found: dict[str, str] = {}
    for m in _CUE.finditer(text):
        name = _name_at(text, m.end(), surnames)
        if name:
            found[name] = mask_name(name, surnames)
    for i in range(len(text)):
        name = _name_at(text, i, surnames)
        if name and len(name) >= 3 and _PRIVATE_AFTER.match(text, i + len(name)):
            found[name] = mask_name(name, surnames)
    for a, b in TAGGER.names(text):
        name = text[a:b]
        if name[0] in lex.rules.weak_surnames or not (name[0] in surnames or name[:2] in surnames):
            continue
        found.setdefault(name, mask_name(name, surnames))
    return found


def deidentified(question: str, lex: PersonalDataLexicon | None = None) -> Masking:
    """The question as the public may read it: numbers, addresses and names masked."""
    lex = lex or default_lexicons().personal
    return apply_masking(question, lex, question_names(question, lex))


@dataclass(frozen=True)
class PublicPost:
    title: str
    body: str
    #: what the masking changed (original → masked), for the audit's count, never logged
    masked: int


def title(ticket: int) -> str:
    return f"{PUBLIC_KIND}·受理编号#{ticket}"


@functools.cache
def _template() -> jinja2.Template:
    env = templates.environment(
        "replies",
        autoescape=False,  # Markdown for the post body, rendered by each platform's adapter
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("public_answer.md.j2")


def post(
    ticket: int,
    question: str,
    answer: str,
    *,
    received_at: datetime,
    department: str,
    answered_on: datetime,
    lex: PersonalDataLexicon | None = None,
) -> PublicPost:
    """The 留言答复 post: the masked question, the answer, who answered and when."""
    masked = deidentified(question.strip(), lex)
    body = _template().render(
        ticket=ticket,
        question=masked.text,
        answer=answer.strip(),
        received=local_date_text(received_at),
        department=department,
        answered=local_date_text(answered_on),
    )
    return PublicPost(title(ticket), body.strip() + "\n", len(masked.changes))
