"""Markdown → WeChat-safe article HTML.

WeChat strips scripts, classes, stylesheets and external links, so the body is produced with
inline styles only, raw HTML in the Markdown is escaped, and an external link is kept as its
text followed by the URL in full-width brackets (readers can still copy it).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token

import templates
from channels.base import Post, Rejected
from channels.masks import literal_masks
from channels.wechat.limits import AUTHOR_MAX, CONTENT_BELOW, DIGEST_MAX, TITLE_MAX

#: post field → (its limit, its label in a refusal)
FIELD_LIMITS = {
    "title": (TITLE_MAX, "标题"),
    "author": (AUTHOR_MAX, "作者"),
    "digest": (DIGEST_MAX, "摘要"),
}

_BASE = "margin:0 0 1em;line-height:1.75;font-size:16px;color:#333;"
STYLES: dict[str, str] = {
    "h1": "margin:1.2em 0 .6em;font-size:22px;font-weight:bold;color:#b5121b;",
    "h2": "margin:1.2em 0 .6em;font-size:19px;font-weight:bold;color:#b5121b;"
    "border-left:4px solid #b5121b;padding-left:8px;",
    "h3": "margin:1em 0 .5em;font-size:17px;font-weight:bold;color:#333;",
    "h4": "margin:1em 0 .5em;font-size:16px;font-weight:bold;color:#333;",
    "p": _BASE + "text-align:justify;",
    "ul": "margin:0 0 1em;padding-left:1.5em;list-style-type:disc;",
    "ol": "margin:0 0 1em;padding-left:1.5em;list-style-type:decimal;",
    "li": "margin:.3em 0;line-height:1.75;font-size:16px;color:#333;",
    "blockquote": "margin:0 0 1em;padding:.6em 1em;border-left:4px solid #ccc;"
    "background:#f7f7f7;color:#555;",
    "table": "width:100%;border-collapse:collapse;margin:0 0 1em;font-size:14px;",
    "th": "border:1px solid #ccc;padding:6px;background:#f2f2f2;font-weight:bold;",
    "td": "border:1px solid #ccc;padding:6px;",
    "pre": "margin:0 0 1em;padding:.8em;background:#f6f8fa;overflow-x:auto;font-size:13px;"
    "white-space:pre-wrap;word-break:break-all;",
    "code": "padding:0 3px;background:#f6f8fa;font-family:Menlo,Consolas,monospace;font-size:14px;",
    "img": "display:block;max-width:100%;height:auto;margin:0 auto 1em;",
    "hr": "border:0;border-top:1px solid #ddd;margin:1.5em 0;",
    "a": "color:#576b95;text-decoration:none;",
    "url": "color:#888;font-size:14px;word-break:break-all;",
}
#: links WeChat keeps clickable (other OA articles); everything else becomes text + URL
WECHAT_HOSTS = ("mp.weixin.qq.com",)

_md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_env = templates.environment(
    "wechat",
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def image_sources(markdown: str) -> list[str]:
    """Every image ``src`` in the body, in order, without duplicates (each is uploaded once)."""
    seen: dict[str, None] = {}
    for token in _md.parse(markdown):
        for child in token.children or ():
            if child.type == "image":
                seen.setdefault(str(child.attrGet("src") or ""), None)
    return [src for src in seen if src]


def render_body(markdown: str, images: Mapping[str, str]) -> str:
    """The body HTML; ``images`` maps each original src to its ``media/uploadimg`` URL.
    Rendered once per body and images: a revision going to several accounts, or retried, is
    not parsed again on the publishing hot path."""
    return _render_body(markdown, tuple(sorted(images.items())))


@functools.lru_cache(maxsize=256)
def _render_body(markdown: str, image_pairs: tuple[tuple[str, str], ...]) -> str:
    images = dict(image_pairs)
    tokens = _md.parse(literal_masks(markdown))
    for token in tokens:
        _style(token)
        if token.children:
            token.children = _inline(token.children, images)
    renderer: Any = _md.renderer
    return str(renderer.render(tokens, _md.options, {}))


def render_article(post: Post, images: Mapping[str, str]) -> str:
    """The full article content (body + source line + reconciliation marker) via Jinja2."""
    html = _env.get_template("article.html.j2").render(
        body=render_body(post.body_markdown, images),
        source=post.source or "",
        marker=post.idempotency_key,
    )
    check_limits(post, html)
    return html


def check_limits(post: Post, content: str) -> None:
    """The platform limits, checked before any upload so a bad post costs no API calls."""
    for name, (limit, label) in FIELD_LIMITS.items():
        value: str = getattr(post, name)
        if len(value) > limit:
            raise Rejected(f"{label}超过{limit}字（现{len(value)}字）", code=f"limit_{name}")
    if not post.title.strip():
        raise Rejected("标题不能为空", code="limit_title")
    if len(content) >= CONTENT_BELOW:
        raise Rejected(f"正文超过{CONTENT_BELOW}字符", code="limit_content")


_BLOCK = {
    "paragraph_open": "p",
    "bullet_list_open": "ul",
    "ordered_list_open": "ol",
    "list_item_open": "li",
    "blockquote_open": "blockquote",
    "table_open": "table",
    "th_open": "th",
    "td_open": "td",
    "hr": "hr",
}


def _style(token: Token) -> None:
    if token.type == "heading_open":
        token.attrSet("style", STYLES.get(token.tag, STYLES["h4"]))
    elif token.type in _BLOCK:
        # keep markdown-it's own cell alignment ("text-align:right") after our base style
        token.attrSet("style", STYLES[_BLOCK[token.type]] + str(token.attrGet("style") or ""))
    elif token.type in ("fence", "code_block"):
        # rendered by hand: the default fence renderer adds a class attribute
        token.type = "html_block"
        token.content = f'<pre style="{STYLES["pre"]}">{escape(token.content)}</pre>\n'


def _inline(children: Sequence[Token], images: Mapping[str, str]) -> list[Token]:
    out: list[Token] = []
    pending_urls: list[str | None] = []
    for child in children:
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
            if urlsplit(href).hostname in WECHAT_HOSTS:
                child.attrs = {"href": href, "style": STYLES["a"]}
                pending_urls.append(None)
                out.append(child)
            else:
                pending_urls.append(href)
            continue
        if child.type == "link_close":
            url = pending_urls.pop() if pending_urls else None
            if url is None:
                out.append(child)
            elif not _shown_already(out, url):
                out.append(_raw(f'<span style="{STYLES["url"]}">（{escape(url)}）</span>'))
            continue
        if child.type == "image":
            src = str(child.attrGet("src") or "")
            if src not in images:
                raise Rejected(f"正文图片未上传：{src}", code="image")
            alt = escape(child.content or "")
            out.append(
                _raw(f'<img src="{escape(images[src])}" alt="{alt}" style="{STYLES["img"]}">')
            )
            continue
        if child.type == "code_inline":
            out.append(_raw(f'<code style="{STYLES["code"]}">{escape(child.content)}</code>'))
            continue
        out.append(child)
    return out


def _shown_already(out: list[Token], url: str) -> bool:
    """Autolinks show their URL as the link text; do not print it twice."""
    return bool(out) and out[-1].type == "text" and out[-1].content.strip() == url


def _raw(html: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = html
    return token
