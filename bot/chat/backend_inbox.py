"""Chat commands' bridge to the inbox service (留言, 回复, 转办, 办结).

The service manages its own transactions and platform calls (a reply goes out to the citizen),
so nothing here opens a transaction around them.
"""

from __future__ import annotations

from bot.chat.ports import Caller, MessageInfo
from bot.inbox import service as inbox_service
from bot.services import Services
from review.db import SessionFactory
from review.timefmt import fmt


def message_info(view: inbox_service.MessageView) -> MessageInfo:
    return MessageInfo(
        id=view.id,
        status_label=view.status_label,
        topic=view.topic or "未分类",
        preview=view.text or "（内容仅本处室可见）",
        deadline=fmt(view.deadline_at)[5:] if view.deadline_at else "",
        hot=view.hot,
    )


class InboxBridge:
    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def sessions(self) -> SessionFactory:
        return self.services.sessions

    async def inbox(self, caller: Caller) -> list[MessageInfo]:
        views = await inbox_service.list_for(self.services, caller.key)
        return sorted((message_info(v) for v in views), key=lambda m: (not m.hot, m.id))

    async def reply(self, caller: Caller, message_id: int, text: str) -> str:
        return await inbox_service.send_answer(self.services, message_id, caller.key, text)

    async def transfer(self, caller: Caller, message_id: int, department: str, note: str) -> str:
        return await inbox_service.transfer(self.services, message_id, caller.key, department, note)

    async def close(self, caller: Caller, message_id: int, reason: str) -> str:
        return await inbox_service.close(self.services, message_id, caller.key, reason)
