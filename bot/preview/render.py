"""One revision as one platform will show it, drawn by the adapters' own renderers.

The WeChat article is ``channels.wechat.render.render_article`` (the HTML the publisher sends),
its images pointing at the preview's media route instead of WeChat's CDN; the Weibo status is the
account's ``WeiboChannel.status_text`` (the text the publisher posts, its link included; an
account the service has no channel for cannot be drawn, and says so). Nothing is re-drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from channels.base import Post, Rejected
from channels.wechat.render import image_sources, render_article, render_body
from channels.weibo.limits import MAX_CHARS
from channels.weibo.render import plain_text
from review.checks.labels import verdict_label
from review.scheduling import idempotency_key

PLATFORM_LABELS = {"wechat": "微信公众号", "weibo": "微博"}
EXCERPT_CHARS = 300


@dataclass(frozen=True)
class Source:
    """What a preview is drawn from: the revision's fields and the target account's options."""

    revision_id: int
    draft_id: int
    number: int
    title: str
    body: str
    kind: str
    author: str
    digest: str
    source: str | None
    cover_path: str | None
    account_id: int
    account_key: str
    account_name: str
    platform: str
    link_url: str | None = None
    default_cover: str | None = None


@dataclass(frozen=True)
class Preview:
    platform: str
    label: str
    title: str
    account_name: str
    revision_id: int
    number: int
    excerpt: str
    #: WeChat: the article HTML (already safe), the cover's and the body images' sources
    html: str = ""
    images: tuple[str, ...] = ()
    has_cover: bool = False
    #: Weibo: the status as posted, its length against the limit, the link it carries
    text: str = ""
    count: int = 0
    limit: int = MAX_CHARS
    link: str = ""
    #: why the platform would refuse it as it stands ("" when it would not)
    problem: str = ""


def excerpt(body: str, limit: int = EXCERPT_CHARS) -> str:
    """The body's opening as plain text (Markdown, images and link targets dropped)."""
    text = plain_text(body)
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def post_of(src: Source) -> Post:
    """The ``Post`` the publisher will build for this revision and account (``build_post``)."""
    return Post(
        publication_id=0,
        account_key=src.account_key,
        title=src.title,
        body_markdown=src.body,
        kind=src.kind,
        author=src.author,
        digest=src.digest,
        source=src.source,
        cover_path=src.cover_path or src.default_cover,
        link_url=src.link_url,
        idempotency_key=idempotency_key(src.draft_id, src.account_id, src.number),
    )


def media_sources(post: Post) -> list[str]:
    """The images a WeChat preview shows, by index: the cover first, then the body's."""
    body = image_sources(post.body_markdown) if "![" in post.body_markdown else []
    return ([post.cover_path] if post.cover_path else []) + body


def wechat(src: Source, media_url: str) -> Preview:
    """``media_url`` + ``/<index>`` serves image ``index`` of ``media_sources``."""
    post = post_of(src)
    sources = media_sources(post)
    offset = 1 if post.cover_path else 0
    images = {s: f"{media_url}/{i + offset}" for i, s in enumerate(sources[offset:])}
    problem = "" if post.cover_path else "公众号图文必须有封面图"
    try:
        html = render_article(post, images)
    except Rejected as exc:  # over a limit: still show it, and say why it would be refused
        html, problem = render_body(post.body_markdown, images), exc.args[0] if exc.args else ""
    return Preview(
        "wechat",
        PLATFORM_LABELS["wechat"],
        src.title,
        src.account_name,
        src.revision_id,
        src.number,
        excerpt(src.body),
        html=html,
        images=tuple(sources),
        has_cover=bool(post.cover_path),
        problem=problem,
    )


def weibo(src: Source, channel: Any = None) -> Preview:
    """The status the account's channel would post, with its own link rule."""
    post = post_of(src)
    text, problem = "", "本服务未接通该微博账号，无法生成将发布的正文"
    if channel is not None and hasattr(channel, "status_text"):
        try:
            text, problem = str(channel.status_text(post)), ""
        except Rejected as exc:
            problem = str(exc.args[0]) if exc.args else "微博会拒绝这条内容"
    link = text.rsplit(" ", 1)[-1] if "://" in text.rsplit(" ", 1)[-1] else ""
    return Preview(
        "weibo",
        PLATFORM_LABELS["weibo"],
        src.title,
        src.account_name,
        src.revision_id,
        src.number,
        excerpt(src.body),
        text=text,
        count=len(text),
        link=link,
        problem=problem,
    )


def draw(src: Source, media_url: str, channel: Any = None) -> Preview:
    return wechat(src, media_url) if src.platform == "wechat" else weibo(src, channel)


def findings(report: dict[str, Any] | None) -> tuple[str, ...]:
    """The gate's findings a reviewer should weigh: blocks (and overrides) and warnings."""
    if not report:
        return ()
    overridden = set(report.get("overridden", []))
    out: list[str] = []
    checks: Sequence[dict[str, Any]] = report.get("checks", [])
    for check in checks:
        reason = str(check.get("reason", ""))
        if check.get("verdict") == "block":
            tail = "（负责人已批准例外）" if check.get("name") in overridden else ""
            out.append(f"{verdict_label('block')}：{reason}{tail}")
        elif check.get("verdict") == "warn":
            out.append(f"{verdict_label('warn')}：{reason}")
    return tuple(out)
