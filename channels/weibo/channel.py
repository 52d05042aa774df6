"""The Weibo ``Channel``: share a short status linking to the article's own page; read what
citizens say (comments, @mentions: ``inbound``) and answer it in place or by private message.

The link carries ``p=<idempotency key>``, so after a crash ``check(post, None)`` can find the
status in the account's timeline, searched back to the send time, instead of posting it twice.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from channels.base import (
    GoingPublic,
    MessagePage,
    Platform,
    PlatformPost,
    Post,
    PostListing,
    Receipt,
    ReceiptState,
    Rejected,
    nothing_to_announce,
)
from channels.lookup import Walk
from channels.weibo.api import WeiboAPI
from channels.weibo.endpoints import ABSENCE
from channels.weibo.errors import REPEAT_CONTENT
from channels.weibo.inbound import (
    COMMENTS,
    STATUS_PREFIX,
    USER_PREFIX,
    Kind,
    MayCall,
    parse_time,
    walk,
)
from channels.weibo.limits import MAX_CHARS, MESSAGE_MAX_CHARS, TIMELINE_PAGE, TIMELINE_PAGES
from channels.weibo.links import article_link
from channels.weibo.render import render_status

log = logging.getLogger("channels.weibo")

STATUS_URL = "https://m.weibo.cn/status/{id}"


def marked_link(link_url: str, key: str) -> str:
    parts = urlsplit(link_url)
    query = parts.query + ("&" if parts.query else "") + "p=" + quote(key, safe="")
    return parts._replace(query=query).geturl()


def carries(status: dict[str, Any], key: str) -> bool:
    """Does a status (its text, or a long URL Weibo kept aside) carry ``p=<key>``?"""
    pattern = re.compile(r"[?&]p=" + re.escape(quote(key, safe="")) + r"(?![\w%-])")
    texts = [str(status.get("text", ""))]
    texts += [str(u.get("long_url", "")) for u in status.get("url_struct") or ()]
    return any(pattern.search(t) for t in texts)


_MARK = re.compile(r"[?&]p=([\w%.-]+)")
#: a status's text kept as its title (a status has no title of its own)
TITLE_CHARS = 40


def marker_of(status: dict[str, Any]) -> str | None:
    """The idempotency key a status carries (``p=<key>`` in its text or a kept long URL)."""
    texts = [str(status.get("text", ""))]
    texts += [str(u.get("long_url", "")) for u in status.get("url_struct") or ()]
    for text in texts:
        found = _MARK.search(text)
        if found:
            return unquote(found.group(1))
    return None


def _time(status: dict[str, Any]) -> datetime:
    """A status's time; one we cannot read counts as now, so it never ends a search early."""
    return parse_time(str(status.get("created_at", "")))


class WeiboChannel:
    """One Weibo account: ``WeiboChannel(WeiboAPI(...), safe_domain="mzj.example.gov.cn")``."""

    platform = Platform.WEIBO

    def __init__(
        self,
        api: WeiboAPI,
        *,
        safe_domain: str,
        max_chars: int = MAX_CHARS,
        page_size: int = 50,
        max_pages: int = 5,
        timeline_pages: int = TIMELINE_PAGES,
        status_url: str = STATUS_URL,
    ) -> None:
        self.api = api
        #: where a status is read, ``{id}`` its id (a sandbox account: the sandbox's timeline)
        self.status_url = status_url
        self.account_key = api.account_key
        self.safe_domain = safe_domain
        self._max_chars = max_chars
        self._page_size = page_size
        self._max_pages = max_pages
        self._timeline_pages = timeline_pages

    def status_text(self, post: Post) -> str:
        """The whole body when it fits in the limit with the link, else the body cut, and
        always the link to the article's own page (``links.article_link``)."""
        page = article_link(post, self.safe_domain)
        link = marked_link(page, post.idempotency_key or str(post.publication_id))
        return render_status(post, link, self._max_chars)

    async def publish(
        self, post: Post, *, going_public: GoingPublic = nothing_to_announce
    ) -> Receipt:
        text = self.status_text(post)
        await going_public()
        try:
            data = await self.api.share(text)
        except Rejected as exc:
            if exc.code != REPEAT_CONTENT:
                raise
            found = await self._find(post)  # an earlier attempt got through: not a failure
            if found.state is ReceiptState.PUBLISHED:
                return found
            raise
        log.info("weibo publication %d shared", post.publication_id)
        return self._receipt(data, "已发布")

    def _receipt(self, status: dict[str, Any], detail: str) -> Receipt:
        status_id = str(status.get("idstr") or status["id"])
        url = self.status_url.format(id=status_id)
        return Receipt(ReceiptState.PUBLISHED, remote_id=status_id, url=url, detail=detail)

    async def check(self, post: Post, receipt: Receipt | None) -> Receipt:
        """Weibo publishes synchronously: a recorded receipt stands; without one, look it up."""
        if receipt is not None and receipt.remote_id and receipt.state is ReceiptState.PUBLISHED:
            return receipt
        return await self._find(post)

    async def _find(self, post: Post) -> Receipt:
        """Walk the account's timeline newest first back to ``post.sent_after`` (bounded by
        ``timeline_pages``); the UNKNOWN answer says what was searched. Only an empty page
        proves the end: Weibo may answer a page short of ``count`` while older statuses exist."""
        key = post.idempotency_key or str(post.publication_id)
        walk = Walk(post.sent_after, ABSENCE["statuses/share.json"])
        for page in range(1, self._timeline_pages + 1):
            data = await self.api.user_timeline(count=TIMELINE_PAGE, page=page)
            statuses = list(data.get("statuses") or ())
            for status in statuses:
                if carries(status, key):
                    return self._receipt(status, "已在账号微博中找到")
            stamped = [(str(s.get("idstr") or s.get("id")), _time(s)) for s in statuses]
            if walk.page(stamped, last=not statuses):
                break
        return Receipt(ReceiptState.UNKNOWN, detail="账号微博中未找到", search=walk.report())

    async def list_posts(self, since: datetime, *, max_pages: int) -> PostListing:
        """The account's statuses newer than ``since`` (its own timeline, newest first),
        back-office ones included; at most ``max_pages`` pages. Only an empty page or a status
        older than ``since`` ends the listing (Weibo may answer a short page mid-way)."""
        posts: list[PlatformPost] = []
        pages, complete = 0, False
        for page in range(1, max_pages + 1):
            data = await self.api.user_timeline(count=TIMELINE_PAGE, page=page)
            pages += 1
            statuses = list(data.get("statuses") or ())
            for status in statuses:
                at = _time(status)
                if at < since:
                    complete = True
                    continue
                status_id = str(status.get("idstr") or status.get("id"))
                text = str(status.get("text", ""))
                posts.append(
                    PlatformPost(
                        remote_id=status_id,
                        title=text[:TITLE_CHARS],
                        excerpt=text[:MAX_CHARS],
                        posted_at=at,
                        url=self.status_url.format(id=status_id),
                        marker=marker_of(status),
                    )
                )
            if complete or not statuses:
                complete = True
                break
        return PostListing(posts, complete=complete, pages=pages)

    async def retract(self, remote_id: str, *, index: int = 1) -> None:
        await self.api.destroy(remote_id)
        log.info("weibo status retracted on %s", self.account_key)

    async def reply(self, to: str, text: str, *, ref: str | None = None) -> None:
        """``to`` says how (``inbound.reply_address``): a comment id with ``ref`` the status it
        was made on (``comments/reply``); ``status:<id>`` a status that @mentioned the account
        (``comments/create`` under it); ``user:<uid>`` a fan-service private message."""
        if to.startswith(USER_PREFIX):
            if len(text) >= MESSAGE_MAX_CHARS:
                raise Rejected(f"私信回复须少于{MESSAGE_MAX_CHARS}字", code="limit_message")
            await self.api.send_message(to.removeprefix(USER_PREFIX), text)
            return
        if len(text) > self._max_chars:
            raise Rejected(f"评论回复超过{self._max_chars}字", code="limit_comment")
        if to.startswith(STATUS_PREFIX):
            await self.api.create_comment(to.removeprefix(STATUS_PREFIX), text)
            return
        if not ref:
            raise Rejected("回复微博评论需要所在微博的 id", code="ref")
        await self.api.reply_comment(to, ref, text)

    async def fetch_messages(self, since: str | None) -> MessagePage:
        """Comments on the account's statuses newer than ``since``, oldest first."""
        return await self.fetch(COMMENTS, since)

    async def fetch(
        self, kind: Kind, since: str | None, *, may_call: MayCall | None = None
    ) -> MessagePage:
        """One list (``inbound.KINDS``) newer than ``since``; ``may_call`` is asked before
        each page (the day's call budget)."""

        async def page(since_id: str | None, max_id: str | None, count: int) -> dict[str, Any]:
            return await self.api.listing(
                kind.endpoint, since_id=since_id, max_id=max_id, count=count
            )

        return await walk(
            kind,
            self.account_key,
            page,
            since,
            page_size=self._page_size,
            max_pages=self._max_pages,
            may_call=may_call,
        )
