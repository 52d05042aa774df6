"""What WeChat's ``draft/add`` refuses, declared once: ``render.check_limits`` enforces it before
any upload, and the service hands ``LIMITS`` to the review gate (review/ never imports an adapter).

Title ≤ 32 字, author ≤ 16, digest ≤ 128, content shorter than 20,000 characters, and a cover
(``thumb_media_id``) for every article; an empty title is refused too.
"""

from __future__ import annotations

from channels.base import PlatformLimits

TITLE_MAX = 32
AUTHOR_MAX = 16
DIGEST_MAX = 128
CONTENT_BELOW = 20_000
#: articles per ``freepublish/batchget`` page: the most the API gives in one page
BATCHGET_PAGE = 20
#: pages a lookup by key reads at most (200 published posts: weeks of a bureau's articles);
#: further back the search says it was incomplete and a person decides
RECONCILE_PAGES = 10

LIMITS = PlatformLimits(
    title_required=True,
    title_max=TITLE_MAX,
    author_max=AUTHOR_MAX,
    digest_max=DIGEST_MAX,
    content_below=CONTENT_BELOW,
    cover_required=True,
)
