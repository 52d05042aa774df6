"""Article comments (留言管理, platforms.md §2.5a): list, reply, 精选, un-精选, delete.

WeChat pushes no event when a reader comments, so the service pulls ``comment/list`` page by
page. An article is named by the ``msg_data_id`` its publish or mass send returned and the
article's 1-based ``index``. Errors come back through ``WeChatAPI.call`` as the closed error
set (88000 no comment privilege, 88001 no such article, 88002 limited: ``Rejected``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from channels.base import Rejected
from channels.wechat.api import WeChatAPI

#: ``comment/list`` refuses a count of 50 or more
PAGE = 49
#: ``type``: every comment, ordinary ones, 精选 ones
ALL, ORDINARY, ELECTED = 0, 1, 2


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """One article of a published post, as the comment APIs name it."""

    msg_data_id: str
    index: int = 1

    def body(self) -> dict[str, Any]:
        return {"msg_data_id": int_or_str(self.msg_data_id), "index": self.index}


@dataclass(frozen=True, slots=True)
class Comment:
    user_comment_id: str
    openid: str
    content: str
    created_at: datetime
    elected: bool = False
    reply: str | None = None


@dataclass(frozen=True, slots=True)
class CommentPage:
    comments: list[Comment]
    #: the article's comment count: a hint (the list may come back empty while it says more)
    total: int


class WeChatComments:
    """The comment endpoints of one OA account (``WeChatChannel.comments``)."""

    def __init__(self, api: WeChatAPI) -> None:
        self.api = api

    async def open(self, article: ArticleRef) -> None:
        await self.api.call("comment/open", article.body())

    async def close(self, article: ArticleRef) -> None:
        await self.api.call("comment/close", article.body())

    async def list_page(
        self, article: ArticleRef, begin: int = 0, count: int = PAGE, kind: int = ALL
    ) -> CommentPage:
        if not 1 <= count <= PAGE:
            raise Rejected(f"每页留言数须在 1 到 {PAGE} 之间", code="count")
        body = article.body() | {"begin": begin, "count": count, "type": kind}
        data = await self.api.call("comment/list", body)
        comments = [_comment(raw) for raw in data.get("comment") or ()]
        return CommentPage(comments, int(data.get("total") or 0))

    async def reply(self, article: ArticleRef, user_comment_id: str, content: str) -> None:
        body = article.body() | {"user_comment_id": int_or_str(user_comment_id)}
        await self.api.call("comment/reply/add", body | {"content": content})

    async def delete_reply(self, article: ArticleRef, user_comment_id: str) -> None:
        body = article.body() | {"user_comment_id": int_or_str(user_comment_id)}
        await self.api.call("comment/reply/delete", body)

    async def elect(self, article: ArticleRef, user_comment_id: str) -> None:
        await self._one("comment/markelect", article, user_comment_id)

    async def unelect(self, article: ArticleRef, user_comment_id: str) -> None:
        await self._one("comment/unmarkelect", article, user_comment_id)

    async def delete(self, article: ArticleRef, user_comment_id: str) -> None:
        await self._one("comment/delete", article, user_comment_id)

    async def _one(self, endpoint: str, article: ArticleRef, user_comment_id: str) -> None:
        await self.api.call(
            endpoint, article.body() | {"user_comment_id": int_or_str(user_comment_id)}
        )


def _comment(raw: dict[str, Any]) -> Comment:
    reply = raw.get("reply") or {}
    try:
        at = datetime.fromtimestamp(int(raw.get("create_time") or 0), UTC)
    except (TypeError, ValueError, OverflowError):
        at = datetime.now(UTC)
    return Comment(
        user_comment_id=str(raw.get("user_comment_id", "")),
        openid=str(raw.get("openid", "")),
        content=str(raw.get("content", "")),
        created_at=at,
        elected=int(raw.get("comment_type") or 0) == 1,
        reply=str(reply["content"]) if reply.get("content") else None,
    )


def int_or_str(value: str) -> int | str:
    """The platform's ids are numbers in JSON; keep one that is not as it came."""
    return int(value) if value.isdigit() else value


def ref_text(article: ArticleRef, user_comment_id: str) -> str:
    """``msg_data_id:index:user_comment_id``: what a stored comment keeps to be answered."""
    return f"{article.msg_data_id}:{article.index}:{user_comment_id}"


def parse_ref(ref: str) -> tuple[ArticleRef, str]:
    """The reverse of ``ref_text``; a malformed one is refused, not guessed."""
    parts = ref.split(":")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[0] or not parts[2]:
        raise Rejected("留言缺少文章或留言编号，无法在原处答复", code="ref")
    return ArticleRef(parts[0], int(parts[1])), parts[2]
