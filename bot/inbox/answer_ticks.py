"""The public-answer tick: a message answered by a 留言答复 post becomes answered (route
``public``) once the post is published, and the replier hears when the post stalls.

``review.public_answers.settle`` does the work in one transaction, each step guarded in SQL or by
a notification dedup key, so the tick firing twice or on two replicas records nothing twice. A
post published while the citizen's reply window is open also tells them, in one private message
with the link: settle claims it (a queued ``notice`` reply, committed with the answer), this
module sends it with no transaction open, then records the outcome and audits it as the
system's act — like the interim reply (``bot.inbox.window_ticks``), it is not retried.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot import keys
from bot.inbox.window_ticks import send_private
from bot.jobs import TickSpec
from bot.services import Services
from review import public_answers
from review.models import MessageReply
from review.store import audit, directory
from review.store import inbox as store

log = logging.getLogger("newmedia.inbox")
#: how long a published answer may wait to count (the post itself is already public)
EVERY_S = 30


async def settle_public_answers(app: web.Application) -> None:
    services = app[keys.SERVICES]
    async with services.sessions.begin() as session:
        settled = await public_answers.settle(session, services.clock())
    if settled.answered:
        log.info("public answers published: %d messages answered", settled.answered)
    for reply_id in settled.notices:
        await send_notice(services, reply_id)


async def send_notice(services: Services, reply_id: int) -> bool:
    """Send a claimed notice (committed by ``settle``), then record and audit it."""
    async with services.sessions.begin() as session:
        reply = await session.get(MessageReply, reply_id)
        msg = await store.get(session, reply.message_id) if reply else None
        account = await directory.account_by_id(session, msg.account_id) if msg else None
    if reply is None or msg is None or account is None or reply.status != "queued":
        return False
    status, error, _ = await send_private(
        services, account.key, msg, reply.text, "public-answer notice"
    )
    async with services.sessions.begin() as session:
        await store.finish_reply(session, reply.id, status, error)
        detail: dict[str, object] = {"reply_id": reply.id, "route": public_answers.NOTICE}
        if error:
            detail["error"] = error
        action = "message.public_notice_" + ("sent" if status == "sent" else "failed")
        await audit.append(
            session, actor="system", action=action, subject_type="message", subject_id=msg.id,
            detail=detail,
        )  # fmt: skip
    return status == "sent"


def tick_specs(app: web.Application) -> list[TickSpec]:
    return [TickSpec("inbox_public_answers", EVERY_S, settle_public_answers)]
