"""Chat commands' bridge to schedule changes (取消, 改期): each one short transaction; the
rules and the guarded changes are ``review.schedule_changes``."""

from __future__ import annotations

from bot.chat.ports import Caller
from bot.services import Services
from review import schedule_changes
from review.errors import NotFound, ValidationFailed
from review.store import directory as dstore
from review.timefmt import parse_local


class ScheduleBridge:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def cancel_schedule(self, caller: Caller, draft_id: int) -> str:
        async with self.services.sessions.begin() as s:
            person = await dstore.person_by_key(s, caller.key)
            if person is None:
                raise NotFound(f"人员 {caller.key} 不存在")
            return await schedule_changes.cancel_draft(s, draft_id, person)

    async def reschedule(self, caller: Caller, draft_id: int, when: str) -> str:
        try:
            at = parse_local(when)
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="publish_at") from None
        async with self.services.sessions.begin() as s:
            person = await dstore.person_by_key(s, caller.key)
            if person is None:
                raise NotFound(f"人员 {caller.key} 不存在")
            return await schedule_changes.reschedule(s, draft_id, person, at)
