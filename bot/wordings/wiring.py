"""At start-up: the shipped 办事指南 imported into an empty library (the primary only), then
the snapshot the callback answers from."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from bot.services import Services
from bot.wordings import service
from bot.wordings.guides import GuideSnapshot
from review.keyword_answers import KeywordAnswersFile
from review.store import wordings as wstore

log = logging.getLogger("newmedia.wordings")


async def open_guides(
    services: Services, seed: KeywordAnswersFile, *, primary: bool
) -> GuideSnapshot:
    if primary:
        async with services.sessions() as session:
            empty = not await wstore.count_kind(session, "guide")
        if empty:
            try:
                titles = await service.import_guide(services, seed.current())
                log.info("办事指南 imported into the 口径 library: %d entries", len(titles))
            except IntegrityError:  # a replica imported them at the same moment
                log.info("办事指南 already imported by another process")
    snapshot = GuideSnapshot(services.sessions, lambda: seed.current().fillers)
    await snapshot.refresh()
    return snapshot
