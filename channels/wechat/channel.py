"""The WeChat OA ``Channel``: draft → freepublish (or mass send) → poll → retract.

Every draft carries the post's idempotency key twice - as ``p=<key>`` in the 阅读原文 link and as
an HTML comment in the content - because freepublish has no lookup by our key: after a crash,
``check(post, None)`` walks ``freepublish/batchget`` back to the send time looking for it
instead of publishing again, and says how far it searched.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from channels.base import (
    Absence,
    GoingPublic,
    MessagePage,
    NotSupported,
    Platform,
    PlatformPost,
    Post,
    PostListing,
    Receipt,
    ReceiptState,
    Rejected,
    Search,
    nothing_to_announce,
)
from channels.lookup import CLOCK_SKEW, Walk
from channels.wechat.api import WeChatAPI
from channels.wechat.comments import WeChatComments
from channels.wechat.covers import CoverCache
from channels.wechat.datacube import WeChatDatacube
from channels.wechat.endpoints import ABSENCE, CLIENTMSGID_WINDOW
from channels.wechat.limits import BATCHGET_PAGE, RECONCILE_PAGES
from channels.wechat.listing import listed, stamp
from channels.wechat.render import check_limits, image_sources, render_article

log = logging.getLogger("channels.wechat")

#: src (or cover path) → (filename, bytes, content type)
ImageLoader = Callable[[str], Awaitable[tuple[str, bytes, str]]]
MASS_PREFIX = "mass:"
#: draft/add's answer to a thumb_media_id the platform does not know (deleted material)
INVALID_MEDIA = 40007

PUBLISH_STATUS: dict[int, tuple[ReceiptState, str]] = {
    0: (ReceiptState.PUBLISHED, "发布成功"),
    1: (ReceiptState.PENDING, "发布中"),
    2: (ReceiptState.FAILED, "原创声明校验失败"),
    3: (ReceiptState.FAILED, "常规失败"),
    4: (ReceiptState.FAILED, "平台审核不通过"),
    5: (ReceiptState.FAILED, "已删除：发布成功后全部文章被删除"),
    6: (ReceiptState.FAILED, "已封禁：发布成功后全部文章被系统封禁"),
}
MASS_STATUS: dict[str, tuple[ReceiptState, str]] = {
    "SEND_SUCCESS": (ReceiptState.PUBLISHED, "群发成功"),
    "SENDING": (ReceiptState.PENDING, "群发中"),
    "SEND_FAIL": (ReceiptState.FAILED, "群发失败"),
    "DELETE": (ReceiptState.FAILED, "已删除"),
}


async def no_media(src: str) -> tuple[str, bytes, str]:
    """The loader of a channel built without one: it reads no file at all."""
    raise Rejected(f"未配置图片目录，无法读取图片：{src}", code="image")


def marked_url(link_url: str, key: str) -> str:
    """``link_url`` with ``p=<key>`` added: the marker reconciliation looks for."""
    parts = urlsplit(link_url)
    query = parts.query + ("&" if parts.query else "") + urlencode({"p": key})
    return urlunsplit(parts._replace(query=query))


class WeChatChannel:
    """One OA account: ``WeChatChannel(WeChatAPI(...), load_image=..., load_cover=...)``. The
    service passes ``review.media_files.publish_loader``: images come only from its media folder,
    checked, as the renditions the draft stored (a JPG ≤ 64 KB for the ``thumb`` cover);
    ``load_cover`` defaults to ``load_image``."""

    platform = Platform.WECHAT

    def __init__(
        self,
        api: WeChatAPI,
        *,
        load_image: ImageLoader = no_media,
        load_cover: ImageLoader | None = None,
        reconcile_pages: int = RECONCILE_PAGES,
        cover_material: str = "thumb",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        comment_kinds: frozenset[str] = frozenset(),
        only_fans_can_comment: bool = False,
    ) -> None:
        self.api = api
        #: the draft kinds whose articles go out with comments open (the account's setting)
        self.comment_kinds = comment_kinds
        self.only_fans_can_comment = only_fans_can_comment
        self.comments = WeChatComments(api)
        self.datacube = WeChatDatacube(api)
        self.account_key = api.account_key
        self._load = load_image
        self._load_cover = load_cover or load_image
        self._reconcile_pages = reconcile_pages
        self._clock = clock
        self.covers = CoverCache(api, material_type=cover_material)

    async def publish(
        self, post: Post, *, going_public: GoingPublic = nothing_to_announce
    ) -> Receipt:
        check_limits(post, "")
        if not post.cover_path:
            raise Rejected("公众号图文必须有封面图", code="cover")
        images: dict[str, str] = {}
        # only markdown ``![..](..)`` images are uploaded; skip the parse when there can be none
        sources = image_sources(post.body_markdown) if "![" in post.body_markdown else []
        for src in sources:
            images[src] = await self.api.upload_image(*await self._load(src))
        content = render_article(post, images)
        cover = await self._load_cover(post.cover_path)
        thumb_media_id = await self.covers.media_id(cover)
        article: dict[str, Any] = {
            "article_type": "news",
            "title": post.title,
            "author": post.author,
            "digest": post.digest,
            "content": content,
            "thumb_media_id": thumb_media_id,
            **self._comment_fields(post),
        }
        if post.link_url:
            article["content_source_url"] = marked_url(post.link_url, post.idempotency_key)
        try:
            media_id = await self.api.add_draft([article])
        except Rejected as exc:
            if exc.code != INVALID_MEDIA:
                raise
            # a reused cover material was deleted on the platform: upload it again, once
            self.covers.forget(cover, thumb_media_id)
            article["thumb_media_id"] = await self.covers.media_id(cover)
            if article["thumb_media_id"] == thumb_media_id:
                raise
            log.info("cached cover of %s was no longer valid; uploaded again", self.account_key)
            media_id = await self.api.add_draft([article])
        await going_public()  # the draft and uploads are private; what follows is not
        if post.push_to_followers:
            return await self._mass(post, media_id)
        job = await self.api.submit_job(media_id)
        publish_id = str(job["publish_id"])
        log.info("wechat publication %d submitted", post.publication_id)
        extra = {"publish_id": publish_id, "media_id": media_id}
        extra |= self._comment_extra(post, str(job.get("msg_data_id") or ""))
        return Receipt(ReceiptState.PENDING, remote_id=publish_id, detail="发布中", extra=extra)

    async def _mass(self, post: Post, media_id: str) -> Receipt:
        """群发 also publishes; ``clientmsgid`` makes a repeated call return the first msg_id."""
        key = post.idempotency_key or f"publication-{post.publication_id}"
        data = await self.api.send_mass(media_id, key)
        msg_id = str(data["msg_id"])
        extra = {
            "msg_id": msg_id,
            "media_id": media_id,
            "msg_data_id": str(data.get("msg_data_id", "")),
        }
        extra |= self._comment_extra(post, extra["msg_data_id"])
        if data.get("errcode") == 45065:
            extra["duplicate"] = "1"
        log.info("wechat publication %d mass-sent", post.publication_id)
        return Receipt(
            ReceiptState.PENDING, remote_id=MASS_PREFIX + msg_id, detail="群发中", extra=extra
        )

    async def check(self, post: Post, receipt: Receipt | None) -> Receipt:
        if receipt is None:
            return await self._reconcile(post)
        if (receipt.remote_id or "").startswith(MASS_PREFIX) or "msg_id" in receipt.extra:
            return await self._check_mass(receipt)
        publish_id = receipt.extra.get("publish_id") or receipt.remote_id
        if not publish_id:
            return await self._reconcile(post)
        data = await self.api.get_publish(publish_id)
        status = int(data.get("publish_status", -1))
        state, detail = PUBLISH_STATUS.get(status, (ReceiptState.UNKNOWN, f"未知状态 {status}"))
        extra = {**receipt.extra, "publish_id": publish_id, "publish_status": str(status)}
        if state is ReceiptState.PENDING:
            return Receipt(state, remote_id=publish_id, detail=detail, extra=extra)
        article_id = str(data.get("article_id") or "") or None
        items = (data.get("article_detail") or {}).get("item") or []
        url = str(items[0].get("article_url")) if items else None
        if data.get("fail_idx"):
            extra["fail_idx"] = ",".join(str(i) for i in data["fail_idx"])
        return Receipt(
            state, remote_id=article_id or publish_id, url=url, detail=detail, extra=extra
        )

    def _comment_fields(self, post: Post) -> dict[str, int]:
        """``need_open_comment`` / ``only_fans_can_comment`` of the draft: open for the kinds
        the account lists (``open_comments_kinds``), closed for every other."""
        opened = post.kind in self.comment_kinds
        return {
            "need_open_comment": int(opened),
            "only_fans_can_comment": int(opened and self.only_fans_can_comment),
        }

    def _comment_extra(self, post: Post, msg_data_id: str) -> dict[str, str]:
        """What the comment pull needs in the receipt: the article's ``msg_data_id`` and
        index (our posts are one article) and whether its comments were opened."""
        if not msg_data_id:
            return {}
        opened = "1" if post.kind in self.comment_kinds else "0"
        return {"msg_data_id": msg_data_id, "comment_index": "1", "comments_open": opened}

    async def _check_mass(self, receipt: Receipt) -> Receipt:
        msg_id = receipt.extra.get("msg_id") or (receipt.remote_id or "").removeprefix(MASS_PREFIX)
        data = await self.api.get_mass(msg_id)
        status = str(data.get("msg_status", ""))
        state, detail = MASS_STATUS.get(status, (ReceiptState.UNKNOWN, f"未知群发状态 {status}"))
        return Receipt(state, remote_id=MASS_PREFIX + msg_id, detail=detail, extra=receipt.extra)

    async def _reconcile(self, post: Post) -> Receipt:
        """Find the post by its marker among published articles, newest first, back to
        ``post.sent_after`` (bounded by ``reconcile_pages``); UNKNOWN, saying what was
        searched, when not found. Each item's ``update_time`` is at or after its publish time,
        so an item older than the send time means every later one is older too."""
        key = post.idempotency_key
        if not key:
            return Receipt(ReceiptState.UNKNOWN, detail="无幂等键，无法核对")
        if post.push_to_followers:
            return self._mass_lookup(post)
        walk = Walk(post.sent_after, ABSENCE["freepublish/submit"])
        for page in range(self._reconcile_pages):
            data = await self.api.batchget(page * BATCHGET_PAGE, BATCHGET_PAGE, content=True)
            items = data.get("item") or []
            for item in items:
                news = (item.get("content") or {}).get("news_item") or []
                for index, article in enumerate(news, start=1):
                    if _carries(article, key):
                        return Receipt(
                            ReceiptState.PUBLISHED,
                            remote_id=str(item["article_id"]),
                            url=article.get("url") or None,
                            detail="已在发布记录中找到",
                            extra={"index": str(index), "reconciled": "1"},
                        )
            stamped = [(str(item.get("article_id")), self._updated(item)) for item in items]
            if walk.page(stamped, last=len(items) < BATCHGET_PAGE):
                break
        return Receipt(
            ReceiptState.UNKNOWN,
            detail="发布记录中未找到（可能仍在发布中或从未提交）",
            search=walk.report(),
        )

    def _mass_lookup(self, post: Post) -> Receipt:
        """A mass send is not listed by batchget and cannot be looked up by our key; the
        platform's own memory of the ``clientmsgid`` is the search: while it remembers the send
        time, sending again answers with the first msg_id instead of pushing twice."""
        remembered = self._clock() - CLIENTMSGID_WINDOW + CLOCK_SKEW
        since = post.sent_after
        search = Search(
            Absence.IDEMPOTENT,
            complete=since is not None and since >= remembered,
            items=0,
            pages=0,
            back_to=remembered,
            since=since,
        )
        return Receipt(ReceiptState.UNKNOWN, detail="群发无法按编号查询", search=search)

    def _updated(self, item: dict[str, Any]) -> datetime:
        """An item's ``update_time``; one we cannot read counts as now (never ends early)."""
        raw = item.get("update_time") or (item.get("content") or {}).get("update_time")
        try:
            return datetime.fromtimestamp(int(str(raw)), UTC)
        except (TypeError, ValueError, OverflowError):
            return self._clock()

    async def list_posts(self, since: datetime, *, max_pages: int) -> PostListing:
        """Every published article newer than ``since`` (``freepublish/batchget``, newest
        first), back-office ones included; at most ``max_pages`` pages. A mass send is not
        listed there (the platform's own limit)."""
        posts: list[PlatformPost] = []
        pages, complete = 0, False
        for page in range(max_pages):
            data = await self.api.batchget(page * BATCHGET_PAGE, BATCHGET_PAGE, content=True)
            pages += 1
            items = data.get("item") or []
            for item in items:
                updated = self._updated(item)
                if updated < since:  # created no later than updated: older still
                    complete = True
                    continue
                content = item.get("content") or {}
                at = stamp(content.get("create_time")) or updated
                for index, article in enumerate(content.get("news_item") or [], start=1):
                    posts.append(listed(str(item.get("article_id")), index, article, at))
            if complete or len(items) < BATCHGET_PAGE:
                complete = True
                break
        return PostListing(posts, complete=complete, pages=pages)

    async def retract(self, remote_id: str, *, index: int = 1) -> None:
        """Delete one article (1-based ``index``); a mass-sent one via ``message/mass/delete``."""
        if remote_id.startswith(MASS_PREFIX):
            await self.api.delete_mass(remote_id.removeprefix(MASS_PREFIX), index)
        else:
            await self.api.delete_article(remote_id, index)
        log.info("wechat article retracted on %s (index %d)", self.account_key, index)

    async def reply(self, to: str, text: str, *, ref: str | None = None) -> None:
        await self.api.send_text(to, text)

    async def fetch_messages(self, since: str | None) -> MessagePage:
        raise NotSupported("公众号消息由微信推送，无需拉取")


def _carries(article: dict[str, Any], key: str) -> bool:
    source = str(article.get("content_source_url") or "")
    if key in parse_qs(urlsplit(source).query).get("p", []):
        return True
    return f"<!--nm:{key}-->" in str(article.get("content") or "")
