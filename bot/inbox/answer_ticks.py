"""The public-answer tick: a message answered by a 留言答复 post becomes answered (route
``public``) once the post is published, and the replier hears when the post stalls.

``review.public_answers.settle`` does the work in one transaction, each step guarded in SQL or by
a notification dedup key, so the tick firing twice or on two replicas records nothing twice.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot import keys
from bot.jobs import TickSpec
from review import public_answers

log = logging.getLogger("newmedia.inbox")
#: how long a published answer may wait to count (the post itself is already public)
EVERY_S = 30


async def settle_public_answers(app: web.Application) -> None:
    services = app[keys.SERVICES]
    async with services.sessions.begin() as session:
        answered = await public_answers.settle(session, services.clock())
    if answered:
        log.info("public answers published: %d messages answered", answered)


def tick_specs(app: web.Application) -> list[TickSpec]:
    return [TickSpec("inbox_public_answers", EVERY_S, settle_public_answers)]
