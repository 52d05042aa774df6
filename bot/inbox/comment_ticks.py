"""Pull WeChat article comments into the citizen queue (WeChat pushes no comment event).

For each article published in the last ``[inbox] wechat_comment_days`` whose comments were
opened (its receipt says so), page ``comment/list`` from where the last pull stopped (the
``cursors`` table, one row per article, shared by replicas) and store each comment once as a
citizen message (``msg_type`` comment; the dedup key names article and comment). The cursor
starts one page back: a comment deleted since shifts later ones left. An empty page while the
count says more is the platform's known hiccup: the cursor stays, the next pull asks again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from aiohttp import web

from bot import keys
from bot.inbox.inbound import INBOUND
from bot.jobs import TickSpec
from channels.base import ChannelError, IncomingMessage, Platform
from channels.wechat.channel import WeChatChannel
from channels.wechat.comments import PAGE, ArticleRef, Comment, WeChatComments, ref_text
from review import replies
from review.models import utcnow
from review.store import inbox as inbox_store
from review.store import wechat_comments as store
from review.store.directory import account_by_key

log = logging.getLogger("newmedia.inbox")
#: ``comment/list`` calls per article per pull at most (quota: the rest waits for the next)
MAX_PAGES = 5


def cursor_key(article: store.OpenArticle) -> str:
    return f"wechat:comments:{article.account_key}:{article.msg_data_id}:{article.index}"


def incoming(account_key: str, ref: ArticleRef, comment: Comment) -> IncomingMessage:
    key = ref_text(ref, comment.user_comment_id)
    return IncomingMessage(
        platform=Platform.WECHAT,
        account_key=account_key,
        dedup_key=f"comment:{key}",
        sender=comment.openid,
        created_at=comment.created_at,
        msg_type="comment",
        text=comment.content,
        remote_ref=key,
    )


async def poll_wechat_comments(app: web.Application) -> None:
    """Every open article of every WeChat account, within the configured days."""
    days = app[keys.SETTINGS].file.inbox.wechat_comment_days
    channels = app.get(keys.CHANNELS) or {}
    async with app[keys.SESSIONS]() as session:
        articles = await store.open_articles(session, utcnow() - timedelta(days=days))
    for article in articles:
        channel = channels.get(article.account_key)
        if isinstance(channel, WeChatChannel):
            await pull_article(app, channel.comments, article)


async def pull_article(
    app: web.Application, comments: WeChatComments, article: store.OpenArticle
) -> int:
    """One article's comments from the cursor on; how many were fetched (each is stored once:
    the dedup key makes a comment fetched again a no-op)."""
    key = cursor_key(article)
    async with app[keys.SESSIONS]() as session:
        row = await inbox_store.cursor(session, key)
    done = int(row.value) if row is not None and row.value.isdigit() else 0
    ref = ArticleRef(article.msg_data_id, article.index)
    position, found = max(0, done - PAGE), list[Comment]()
    for _ in range(MAX_PAGES):
        try:
            page = await comments.list_page(ref, position, PAGE)
        except ChannelError as exc:
            log.warning(
                "comments of publication %d not fetched: %s", article.publication_id, exc.kind
            )
            break
        found += page.comments
        position += len(page.comments)
        if not page.comments or position >= page.total:
            break
    messages = [incoming(article.account_key, ref, c) for c in found]
    return await _store(app, article, messages, str(position) if found else None)


async def _store(
    app: web.Application,
    article: store.OpenArticle,
    messages: list[IncomingMessage],
    cursor: str | None,
) -> int:
    inbound = app[INBOUND]
    async with app[keys.SESSIONS].begin() as session:
        account = await account_by_key(session, article.account_key)
        if account is None:
            return 0
        now = utcnow()
        rows = [
            replies.new_row(m, account.id, now, inbound.policy, inbound.keywords) for m in messages
        ]
        await inbox_store.insert_messages(session, rows)
        if cursor is not None:
            await inbox_store.save_cursor(session, cursor_key(article), cursor)
    if rows:
        log.info("comments of publication %d: %d fetched", article.publication_id, len(rows))
        inbound.kick.set()
    return len(rows)


def tick_specs(app: web.Application) -> list[TickSpec]:
    minutes = app[keys.SETTINGS].file.inbox.wechat_comment_poll_minutes
    return [TickSpec("wechat_comments", minutes * 60, poll_wechat_comments, single=True)]
