"""What Weibo's ``statuses/share`` refuses, declared once: the channel renders within it, and the
service hands ``LIMITS`` to the review gate (review/ never imports an adapter).

A status is at most 140 characters (error 20012) and must link to the app's safe domain (10017)
— to the article's own page there (``links``);
``#`` would open a topic, which posts made through the API may not do.
"""

from __future__ import annotations

from channels.base import PlatformLimits
from channels.weibo.links import ARTICLE_PATH_MAX
from channels.weibo.render import status_text

MAX_CHARS = 140
#: a fan-service private message (``messages/reply`` text) must be shorter than this
MESSAGE_MAX_CHARS = 300
#: statuses per ``statuses/user_timeline`` page: the most the API gives in one page
TIMELINE_PAGE = 100
#: pages a lookup by key reads at most (1,000 statuses: days of a bureau's posts); further
#: back the search says it was incomplete and a person decides
TIMELINE_PAGES = 10
#: the ``?p=<publication key>`` marker ``channel.marked_link`` appends to the article link
LINK_MARKER_CHARS = 30

LIMITS = PlatformLimits(
    topics_banned=True,
    status_max=MAX_CHARS,
    # the gate counts ``https://<safe domain>/`` plus this: the article's own page (at most
    # ``links.ARTICLE_PATH_MAX`` more, checked when settings load) and the key marker
    link_marker_chars=ARTICLE_PATH_MAX + LINK_MARKER_CHARS,
    status_text=status_text,
)
