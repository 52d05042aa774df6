"""An account's published articles as ``channels.base.PlatformPost`` (``list_posts``): the
marker the bot puts in each of its posts (``p=<key>`` in 阅读原文, ``<!--nm:key-->`` in the
content) read back out, an excerpt of the text, the time it went out."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.base import PlatformPost

_MARK = re.compile(r"<!--nm:([^>]+?)-->")
_TAGS = re.compile(r"<[^>]*>")
EXCERPT_CHARS = 120


def stamp(raw: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(raw)), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def marker_of(article: dict[str, Any]) -> str | None:
    """The idempotency key an article carries (``_carries`` looks for a known one)."""
    source = str(article.get("content_source_url") or "")
    keys = parse_qs(urlsplit(source).query).get("p", [])
    if keys:
        return keys[0]
    found = _MARK.search(str(article.get("content") or ""))
    return found.group(1) if found else None


def listed(article_id: str, index: int, article: dict[str, Any], at: datetime) -> PlatformPost:
    """One ``news_item`` of a batchget item as a ``PlatformPost`` (our posts: one article,
    whose remote id is the ``article_id`` the publication records)."""
    text = _TAGS.sub("", str(article.get("content") or ""))
    excerpt = str(article.get("digest") or "") or " ".join(text.split())
    return PlatformPost(
        remote_id=article_id if index == 1 else f"{article_id}:{index}",
        title=str(article.get("title") or ""),
        excerpt=excerpt[:EXCERPT_CHARS],
        posted_at=at,
        url=str(article.get("url") or "") or None,
        marker=marker_of(article),
        deleted=bool(article.get("is_deleted")),
    )
