"""Posts staff make in the platforms' own back offices (mp.weixin.qq.com, weibo.com), not
through the bot: the daily sync must find them, and flag them as 未经审核发布.

``wechat_post`` puts a finished freepublish article straight into the account's list (what
``freepublish/batchget`` answers); ``weibo_post`` a status into its timeline. ``at`` backdates
a post (a demo history, a test's clock); lists stay ordered by time. Over HTTP for a sandbox in
another process: ``POST /_backoffice/post`` ``{account, title, content, at}`` (``at``: Unix
seconds; Weibo takes ``content`` as the status text).
"""

from __future__ import annotations

import bisect
from typing import Any

from aiohttp import web

from channels.sandbox.wechat_api import WeChatSandbox
from channels.sandbox.wechat_state import Article, Published
from channels.sandbox.weibo_api import WeiboSandbox
from channels.sandbox.weibo_state import Status


def wechat_post(
    sb: WeChatSandbox, account_key: str, title: str, content: str, *, at: float | None = None
) -> str:
    """A one-article freepublish post made in the back office; returns its ``article_id``."""
    state = sb.accounts[account_key]
    article_id = sb.next_id("art")
    article = Article(
        index=1,
        title=title,
        author="",
        digest="",
        content=content,
        content_source_url="",
        cover_url="",
        url=f"{sb.config.public_url}/timeline#wx-{article_id}-1",
    )
    post = Published(article_id, [article], sb.now() if at is None else at, "freepublish", "")
    for posts in (state.timeline, state.free):
        bisect.insort(posts, post, key=lambda p: p.published_at)
    state.by_article[article_id] = post
    sb.save(account_key)
    return article_id


def weibo_post(sb: WeiboSandbox, account_key: str, text: str, *, at: float | None = None) -> str:
    """A status posted on weibo.com by the account's staff; returns its id."""
    state = sb.accounts[account_key]
    status = Status(sb.next_id(), text, sb.now() if at is None else at)
    bisect.insort(state.statuses, status, key=lambda s: s.created_at)
    state.by_id[status.id] = status
    sb.save(account_key)
    return str(status.id)


def back_office_routes(wechat: WeChatSandbox, weibo: WeiboSandbox) -> list[web.RouteDef]:
    async def post(request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        key, content = str(body.get("account", "")), str(body.get("content", ""))
        at = float(body["at"]) if body.get("at") is not None else None
        if key in wechat.accounts:
            remote_id = wechat_post(wechat, key, str(body.get("title", "")), content, at=at)
        elif key in weibo.accounts:
            remote_id = weibo_post(weibo, key, content, at=at)
        else:
            raise web.HTTPNotFound(text="unknown account")
        return web.json_response({"remote_id": remote_id})

    return [web.post("/_backoffice/post", post)]
