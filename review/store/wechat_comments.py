"""Queries of WeChat article comments: which articles to pull, and what staff did to a comment
(精选, deleted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Account, Publication, WeChatComment
from review.states import PublicationStatus


@dataclass(frozen=True)
class OpenArticle:
    """A published article whose comments were opened: what ``comment/list`` needs."""

    publication_id: int
    account_key: str
    msg_data_id: str
    index: int


async def open_articles(session: AsyncSession, since: datetime) -> list[OpenArticle]:
    """WeChat publications published since ``since`` (and not retracted) whose receipt says
    their comments were opened, newest first."""
    q = (
        select(Publication.id, Account.key, Publication.receipt_extra)
        .join(Account, Account.id == Publication.account_id)
        .where(
            Account.platform == "wechat",
            Publication.status == PublicationStatus.PUBLISHED,
            Publication.published_at >= since,
        )
        .order_by(Publication.published_at.desc())
    )
    out = []
    for pub_id, key, extra in (await session.execute(q)).all():
        extra = extra or {}
        if extra.get("comments_open") == "1" and extra.get("msg_data_id"):
            index = int(extra.get("comment_index") or 1)
            out.append(OpenArticle(pub_id, key, str(extra["msg_data_id"]), index))
    return out


async def state_of(session: AsyncSession, message_id: int) -> WeChatComment | None:
    return await session.get(WeChatComment, message_id)


async def record(
    session: AsyncSession,
    message_id: int,
    *,
    elected: bool | None = None,
    deleted_at: datetime | None = None,
    reason: str | None = None,
) -> WeChatComment:
    """What staff did, on the comment's one row (created at its first moderation)."""
    row = await session.get(WeChatComment, message_id, with_for_update=True)
    if row is None:
        row = WeChatComment(message_id=message_id, elected=False)
        session.add(row)
    if elected is not None:
        row.elected = elected
    if deleted_at is not None:
        row.deleted_at, row.delete_reason = deleted_at, reason
    await session.flush()
    return row
