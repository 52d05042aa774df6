"""The WeChat fake's article comments (留言管理, platforms.md §2.5a), and readers who comment.

Same paths and bodies as the platform: ``comment/open|close`` (``msg_data_id``, ``index``),
``comment/list`` (``begin``, ``count`` < 50, ``type`` 0 all / 1 ordinary / 2 精选; oldest
first), ``markelect`` / ``unmarkelect`` / ``delete`` and ``reply/add`` / ``reply/delete`` by
``user_comment_id``. Errors: 88000 without comment privilege, 88001 no such (published) article,
88002 comments limited for safety, 40097 bad arguments. ``add_comment`` is the reader's side
(WeChat calls no server when someone comments, so the bot must pull).
"""

from __future__ import annotations

from typing import Any, Protocol

from aiohttp import web

from channels.sandbox.platform import ACCOUNT, PAYLOAD, SandboxError
from channels.sandbox.wechat_state import Article, ArticleComment, WeChatState

NO_PRIVILEGE = 88000
NO_ARTICLE = 88001
LIMITED = 88002
INVALID_ARGS = 40097
MAX_COUNT = 49
MAX_REPLY = 600


class Host(Protocol):
    """What comments need from the WeChat fake that owns them."""

    accounts: dict[str, WeChatState]

    def auth(self, request: web.Request) -> WeChatState: ...

    async def json_body(self, request: web.Request) -> dict[str, Any]: ...

    def next_id(self, prefix: str = "") -> str: ...

    def now(self) -> float: ...

    def save(self, account: str | None = None) -> None: ...


def ok(**fields: Any) -> web.Response:
    return web.json_response({"errcode": 0, "errmsg": "ok", **fields})


def find_article(state: WeChatState, msg_data_id: str, index: int) -> Article:
    for post in state.timeline:
        if post.msg_data_id and post.msg_data_id == msg_data_id:
            for article in post.articles:
                if article.index == index and not article.deleted:
                    return article
    raise SandboxError(NO_ARTICLE, "msg_data not exists")


class WeChatComments:
    def __init__(self, sandbox: Host) -> None:
        self.sb = sandbox

    def routes(self, cgi: str) -> list[web.RouteDef]:
        c = cgi + "comment/"
        return [
            web.post(c + "open", self.open),
            web.post(c + "close", self.close),
            web.post(c + "list", self.list_comments),
            web.post(c + "markelect", self.markelect),
            web.post(c + "unmarkelect", self.unmarkelect),
            web.post(c + "delete", self.delete),
            web.post(c + "reply/add", self.reply_add),
            web.post(c + "reply/delete", self.reply_delete),
            web.post("/_follower/comment", self.follower_comment),
        ]

    # ---- the reader's side ---------------------------------------------------------------------

    def add_comment(
        self,
        account_key: str,
        msg_data_id: str,
        content: str,
        *,
        index: int = 1,
        openid: str = "o_sandbox_citizen_1",
    ) -> int:
        """A reader comments under a published article; returns the ``user_comment_id``.
        Refused (``SandboxError``) where the article takes no comments."""
        state = self.sb.accounts[account_key]
        article = find_article(state, msg_data_id, index)
        if not article.comments_open or article.comments_limited:
            raise SandboxError(NO_ARTICLE, "comment is closed for this article")
        if not content.strip():
            raise SandboxError(INVALID_ARGS, "invalid args: content")
        comment = ArticleComment(
            int(self.sb.next_id()), msg_data_id, index, openid, content, self.sb.now()
        )
        state.comments.append(comment)
        self.sb.save(account_key)
        return comment.user_comment_id

    def comments_of(
        self, account_key: str, msg_data_id: str, index: int = 1
    ) -> list[ArticleComment]:
        """Every comment of one article, deleted ones too (for tests and the timeline page)."""
        return [
            c
            for c in self.sb.accounts[account_key].comments
            if c.msg_data_id == msg_data_id and c.index == index
        ]

    async def follower_comment(self, request: web.Request) -> web.Response:
        """``POST /_follower/comment`` ``{account, msg_data_id, index, openid, content}``: the
        same as ``add_comment`` over HTTP, for a demo run in another process."""
        body = await self.sb.json_body(request)
        key = str(body.get("account", ""))
        if key not in self.sb.accounts:
            raise SandboxError(40013, "invalid account")
        request[ACCOUNT] = key
        cid = self.add_comment(
            key,
            str(body.get("msg_data_id", "")),
            str(body.get("content", "")),
            index=int(body.get("index") or 1),
            openid=str(body.get("openid") or "o_sandbox_citizen_1"),
        )
        return ok(user_comment_id=cid)

    # ---- the account's side ----------------------------------------------------------------------

    async def _article(self, request: web.Request) -> tuple[WeChatState, Article, dict[str, Any]]:
        state = self.sb.auth(request)
        body = await self.sb.json_body(request)
        if not state.account.comment_privilege:
            raise SandboxError(NO_PRIVILEGE, "no comment privilege")
        try:
            index = int(body.get("index") or 1)
        except (TypeError, ValueError):
            raise SandboxError(INVALID_ARGS, "invalid args: index") from None
        article = find_article(state, str(body.get("msg_data_id", "")), index)
        if article.comments_limited:
            raise SandboxError(LIMITED, "article limited for safety")
        request[PAYLOAD] = {k: v for k, v in body.items() if k != "content"}
        return state, article, body

    async def _comment(self, request: web.Request) -> tuple[ArticleComment, dict[str, Any]]:
        state, _article, body = await self._article(request)
        raw = str(body.get("user_comment_id", ""))
        msg_data_id, index = str(body.get("msg_data_id")), int(body.get("index") or 1)
        for comment in state.comments:
            if (
                str(comment.user_comment_id) == raw
                and comment.msg_data_id == msg_data_id
                and comment.index == index
                and not comment.deleted
            ):
                return comment, body
        raise SandboxError(INVALID_ARGS, "invalid args: user_comment_id")

    async def open(self, request: web.Request) -> web.Response:
        _state, article, _body = await self._article(request)
        article.comments_open = True
        return ok()

    async def close(self, request: web.Request) -> web.Response:
        _state, article, _body = await self._article(request)
        article.comments_open = False
        return ok()

    async def list_comments(self, request: web.Request) -> web.Response:
        state, _article, body = await self._article(request)
        try:
            begin, count, kind = (int(body.get(k, 0)) for k in ("begin", "count", "type"))
        except (TypeError, ValueError):
            raise SandboxError(INVALID_ARGS, "invalid args: begin/count/type") from None
        if begin < 0 or not 1 <= count <= MAX_COUNT or kind not in (0, 1, 2):
            raise SandboxError(INVALID_ARGS, "invalid args: begin/count/type")
        msg_data_id, index = str(body.get("msg_data_id")), int(body.get("index") or 1)
        listed = [
            c
            for c in state.comments
            if c.msg_data_id == msg_data_id
            and c.index == index
            and not c.deleted
            and (kind == 0 or c.elected == (kind == 2))
        ]
        page = listed[begin : begin + count]
        if state.scripted_empty_lists > 0:
            state.scripted_empty_lists -= 1
            page = []
        return ok(total=len(listed), comment=[_json(c) for c in page])

    async def markelect(self, request: web.Request) -> web.Response:
        comment, _body = await self._comment(request)
        comment.elected = True
        return ok()

    async def unmarkelect(self, request: web.Request) -> web.Response:
        comment, _body = await self._comment(request)
        comment.elected = False
        return ok()

    async def delete(self, request: web.Request) -> web.Response:
        comment, _body = await self._comment(request)
        comment.deleted = True
        return ok()

    async def reply_add(self, request: web.Request) -> web.Response:
        comment, body = await self._comment(request)
        content = str(body.get("content") or "")
        if not content.strip() or len(content) > MAX_REPLY:
            raise SandboxError(INVALID_ARGS, "invalid args: content")
        comment.reply, comment.reply_time = content, self.sb.now()
        return ok()

    async def reply_delete(self, request: web.Request) -> web.Response:
        comment, _body = await self._comment(request)
        comment.reply, comment.reply_time = None, None
        return ok()


def _json(comment: ArticleComment) -> dict[str, Any]:
    out: dict[str, Any] = {
        "user_comment_id": comment.user_comment_id,
        "openid": comment.openid,
        "create_time": int(comment.create_time),
        "content": comment.content,
        "comment_type": 1 if comment.elected else 0,
    }
    if comment.reply is not None:
        out["reply"] = {"content": comment.reply, "create_time": int(comment.reply_time or 0)}
    return out
