"""Where a Weibo status points: the article's own page on the bureau's site, never its root.

``statuses/share`` takes at most 140 characters and must carry a link on the app's safe domain
(platforms.md §3.1; no long-text variant is documented there), so a body that does not fit is
cut and the link is where the reader finds the full text. Before this every status linked to
``https://<safe domain>/`` — the site's home page — and the cut text was published nowhere.

Each Weibo account says where its articles live (``article_url_template`` in settings, e.g.
``https://mzj.changchun.gov.cn/art/{draft}.html``); ``{draft}`` is the draft's number, read from
the publication key ``p<draft>a<account>r<revision>`` the post carries (the publisher and the
preview build it the same way), so both show the very link that is posted.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from channels.base import Post, Rejected

PLACEHOLDER = "{draft}"
#: characters an article page may add after ``https://<safe domain>/`` (draft number counted at
#: ``DRAFT_DIGITS`` digits): the review gate counts the link before the draft has its page
ARTICLE_PATH_MAX = 30
DRAFT_DIGITS = 7
_KEY = re.compile(r"^p(\d+)a\d+r\d+$")


def on_domain(host: str, safe_domain: str) -> bool:
    return host == safe_domain or host.endswith("." + safe_domain)


def article_url(template: str, draft: int) -> str:
    return template.replace(PLACEHOLDER, str(draft))


def template_problem(template: str, safe_domain: str | None) -> str | None:
    """Why ``template`` cannot give each article's page (Chinese), or ``None``."""
    parts = urlsplit(template)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "应为以 https:// 开头的完整地址"
    if safe_domain and not on_domain(parts.hostname, safe_domain):
        return f"应在本账号的安全域名 {safe_domain} 下（微博拒绝其他域名的链接）"
    if template.count(PLACEHOLDER) != 1:
        return f"应含且只含一个 {PLACEHOLDER}（稿件编号），每篇文章才有自己的页面"
    if "{" in template.replace(PLACEHOLDER, "") or "}" in template.replace(PLACEHOLDER, ""):
        return f"只能使用 {PLACEHOLDER} 一个占位符"
    longest = article_url(template, 10**DRAFT_DIGITS - 1)
    extra = len(longest) - len(f"https://{safe_domain or parts.hostname}/")
    if extra > ARTICLE_PATH_MAX:
        return f"过长：网站根地址之后最多 {ARTICLE_PATH_MAX} 字（稿件编号按 {DRAFT_DIGITS} 位计）"
    return None


def draft_of(key: str) -> int | None:
    """The draft number inside a publication key ``p<draft>a<account>r<revision>``."""
    found = _KEY.match(key)
    return int(found.group(1)) if found else None


def article_link(post: Post, safe_domain: str) -> str:
    """The page of this post's article: on the safe domain, never the site's root."""
    url = post.link_url or ""
    if not url:
        raise Rejected(
            "微博账号未设置文章页地址（article_url_template），无法链接到全文", code="article_url"
        )
    if PLACEHOLDER in url:
        draft = draft_of(post.idempotency_key)
        if draft is None:
            raise Rejected("无法从发布编号得出稿件编号，不能生成文章页链接", code="article_url")
        url = article_url(url, draft)
    parts = urlsplit(url)
    if not on_domain(parts.hostname or "", safe_domain):
        raise Rejected(f"微博须链接到安全域名 {safe_domain} 下的文章页", code="safe_domain")
    if parts.path in ("", "/") and not parts.query:
        raise Rejected("微博须链接到文章本身的页面，不能链接网站首页", code="article_url")
    return url
