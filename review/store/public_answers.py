"""Queries of the answer routes: the public answers waiting for their post, the message a draft
answers, the route recorded on a message and on its reply rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.answer_routes import PUBLIC_PENDING
from review.models import CitizenMessage, Draft, MessageReply, Publication
from review.states import MessageStatus, sources_for
from review.store.transitions import apply, transition

#: the states a message waits for its public answer in (answered ones have their route)
WAITING = (MessageStatus.NEW, MessageStatus.ASSIGNED, MessageStatus.OVERDUE)


@dataclass(frozen=True)
class PublicRow:
    """A message with its public answer's draft and that draft's publication on its account."""

    message: CitizenMessage
    draft_status: str
    revision: int
    publication: Publication | None


def _with_post() -> Any:
    on = and_(
        Publication.draft_id == CitizenMessage.public_draft_id,
        Publication.account_id == CitizenMessage.account_id,
    )
    return (
        select(CitizenMessage, Draft.status, Draft.current_revision, Publication)
        .join(Draft, Draft.id == CitizenMessage.public_draft_id)
        .outerjoin(Publication, on)
    )


async def awaiting(session: AsyncSession, after: int = 0, limit: int = 200) -> list[PublicRow]:
    """Unanswered open messages whose public answer is on its way or stalled, by id from
    ``after`` (a page: the caller walks them all, stalled ones included)."""
    q = (
        _with_post()
        .where(
            CitizenMessage.id > after,
            CitizenMessage.public_draft_id.is_not(None),
            CitizenMessage.answered_at.is_(None),
            CitizenMessage.status.in_(WAITING),
        )
        .order_by(CitizenMessage.id)
        .limit(limit)
    )
    return [PublicRow(*row) for row in (await session.execute(q)).all()]


async def of_message(session: AsyncSession, message_id: int) -> PublicRow | None:
    """The message's current public answer, if it has one."""
    q = _with_post().where(CitizenMessage.id == message_id)
    row = (await session.execute(q)).first()
    return PublicRow(*row) if row is not None else None


async def answering_departments(session: AsyncSession, draft_id: int) -> frozenset[int]:
    """The departments whose messages ``draft_id`` answers publicly (draft rights ask it)."""
    q = select(CitizenMessage.department_id).where(
        CitizenMessage.public_draft_id == draft_id, CitizenMessage.department_id.is_not(None)
    )
    return frozenset(d for d in (await session.scalars(q)).all() if d is not None)


async def mark_answered(
    session: AsyncSession,
    message_id: int,
    route: str,
    at: datetime,
    *,
    first: bool = False,
    **values: Any,
) -> bool:
    """Answered by ``route`` (guarded on the states that may become answered); ``first``: only
    if no route has answered it yet (a tick and a replier at once record one route)."""
    stmt = transition(CitizenMessage, MessageStatus.ANSWERED, *sources_for(MessageStatus.ANSWERED))
    stmt = stmt.where(CitizenMessage.id == message_id)
    if first:
        stmt = stmt.where(CitizenMessage.answered_at.is_(None))
    return bool(await apply(session, stmt.values(answer_route=route, answered_at=at, **values)))


async def add_reply(
    session: AsyncSession,
    message_id: int,
    person_id: int | None,
    text: str,
    route: str,
    status: str,
    *,
    sent_at: datetime | None = None,
) -> MessageReply:
    row = MessageReply(
        message_id=message_id, person_id=person_id, text=text, route=route, status=status,
        sent_at=sent_at,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return row


async def settle_public_replies(
    session: AsyncSession,
    message_id: int,
    status: str,
    error: str | None = None,
    *,
    sent_at: datetime | None = None,
    statuses: Sequence[str] = (PUBLIC_PENDING,),
) -> int:
    """The message's public reply rows in ``statuses`` take ``status`` (published, not
    published, or superseded by a newer public answer)."""
    result = await session.execute(
        update(MessageReply)
        .where(
            MessageReply.message_id == message_id,
            MessageReply.route == "public",
            MessageReply.status.in_(list(statuses)),
        )
        .values(status=status, error=error, sent_at=sent_at)
    )
    return int(cast(CursorResult[Any], result).rowcount)


async def latest_public_reply(session: AsyncSession, message_id: int) -> MessageReply | None:
    """The newest public answer written for the message (whose writer hears the outcome)."""
    q = (
        select(MessageReply)
        .where(MessageReply.message_id == message_id, MessageReply.route == "public")
        .order_by(MessageReply.id.desc())
        .limit(1)
    )
    return await session.scalar(q)
