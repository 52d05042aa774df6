"""Chat commands' bridge to the publishing actions staff trigger (撤回, 更正).

Retraction calls the platform between two short transactions of its own
(``bot.publishing.service``), so nothing here opens a transaction around it.
"""

from __future__ import annotations

from bot.chat.ports import Caller
from bot.publishing import service as publishing_service
from bot.services import Services


class PublishingBridge:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def retract(self, caller: Caller, publication_id: int, reason: str) -> str:
        return await publishing_service.retract(self.services, publication_id, caller.key, reason)

    async def correct(self, caller: Caller, publication_id: int, text: str) -> str:
        return await publishing_service.correct(self.services, publication_id, caller.key, text)
