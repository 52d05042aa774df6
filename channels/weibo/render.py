"""The Weibo status text: 【title】summary link, within ``limits.MAX_CHARS`` characters.

Weibo refuses a status without a link on the app's safe domain (10017) and one over 140
characters (20012); the summary is what gives way. ``#`` would open a topic (not allowed for
API posts) and ``@`` would notify strangers, so both are neutralised.
"""

from __future__ import annotations

import re

import jinja2
from markdown_it import MarkdownIt

import templates
from channels.base import Post, Rejected
from channels.masks import literal_masks

ELLIPSIS = "…"

_md = MarkdownIt("commonmark", {"html": False})
_env = templates.environment(
    "weibo",
    autoescape=False,  # plain text for Weibo, never HTML
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=False,
)
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    return _SPACE.sub(" ", text.replace("#", "").replace("@", "＠")).strip()


def plain_text(markdown: str) -> str:
    """The Markdown body as one line of plain text (images and link targets dropped)."""
    parts: list[str] = []
    for token in _md.parse(literal_masks(markdown)):
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        if token.type.endswith("_close") and token.block:
            parts.append(" ")
    return clean("".join(parts))


def status_text(title: str, body_markdown: str, digest: str = "") -> str:
    """The status for a draft without its link and with the summary uncut: what the review gate
    inspects for links the platform would refuse (handed over in ``limits.LIMITS``). The summary
    is chosen as ``render_status`` chooses it: the digest, else the body."""
    template = _env.get_template("status.txt.j2")
    summary = clean(digest) or plain_text(body_markdown)
    return template.render(title=clean(title), summary=summary, link="").strip()


def render_status(post: Post, link: str, max_chars: int) -> str:
    """The status text; the summary (digest, else the body) is cut to fit with an ellipsis."""
    template = _env.get_template("status.txt.j2")
    title = clean(post.title)
    summary = clean(post.digest) or plain_text(post.body_markdown)
    bare = template.render(title=title, summary="", link=link).strip()
    room = max_chars - len(bare)
    if room < 0:
        raise Rejected(f"标题加链接已超过{max_chars}字，请缩短标题", code="limit_status")
    if len(summary) + 1 > room:  # +1: the space between summary and link
        summary = summary[: max(room - 2, 0)].rstrip() + ELLIPSIS if room >= 4 else ""
    text = template.render(title=title, summary=summary, link=link).strip()
    if len(text) > max_chars:  # a template edit must not silently break the rule
        raise Rejected(f"微博正文超过{max_chars}字", code="limit_status")
    return text
