"""What a draft must be at the door, as pure rules: ``newmedia check``, ``draft new``, the API
and the console ask the same questions here, so a file ``check`` passes is one ``draft new``
takes (the compliance gate then judges the words; this only says whether there is a draft).
"""

from __future__ import annotations

from dataclasses import dataclass

#: every kind of draft, in the order editors are offered them (settings, ``--kind``, front matter,
#: the console and the API all take exactly these)
KINDS = (
    "通知公告",
    "政策解读",
    "办事指南",
    "工作动态",
    "转载",
    "规范性文件",
    "惩戒性公示",
    "留言答复",  # a public answer to a citizen's message (review.public_answers)
    "新闻发布稿",  # a press release; with 新闻发布会 counted per quarter (review.press)
    "新闻发布会",  # a press conference's notice or transcript
)
MAX_TITLE = 64
#: WeChat's article body limit (characters, exclusive)
MAX_BODY = 20_000


@dataclass(frozen=True)
class Problem:
    """One broken door rule: the field it concerns and what to do, in Chinese."""

    field: str
    message: str


def content_problems(title: str, body: str, kind: str, source: str | None) -> list[Problem]:
    """Every rule on a draft's content that does not need the database, in the order an editor
    fixes them (empty list: the draft may be saved)."""
    found: list[Problem] = []
    if not title.strip():
        found.append(Problem("title", "标题不能为空"))
    elif len(title) > MAX_TITLE:
        found.append(Problem("title", f"标题过长：{len(title)} 字，最多 {MAX_TITLE} 字"))
    if not body.strip():
        found.append(Problem("body", "正文不能为空"))
    elif len(body) >= MAX_BODY:
        found.append(
            Problem("body", f"正文过长：{len(body)} 字符，微信公众号要求少于 {MAX_BODY} 字符")
        )
    if kind not in KINDS:
        found.append(Problem("kind", f"未知的稿件类型「{kind}」，可选：{'、'.join(KINDS)}"))
    elif kind == "转载" and not (source or "").strip():
        found.append(Problem("source", "转载稿件必须注明来源（source）"))
    return found
