"""Chat commands' bridge to the inbox service (留言, 回复, 转办, 办结).

The service manages its own transactions and platform calls (a reply goes out to the citizen),
so nothing here opens a transaction around them.
"""

from __future__ import annotations

from bot.chat.ports import Caller, MessageInfo
from bot.inbox import answering, comments
from bot.inbox import service as inbox_service
from bot.services import Services
from review.db import SessionFactory
from review.errors import DomainError
from review.timefmt import fmt


def echoed(exc: DomainError, what: str, text: str) -> DomainError:
    """The refusal with the text typed, to copy and send again (nothing was saved)."""
    if not text.strip():
        return exc
    return type(exc)(f"{exc.message}\n您的{what}（未保存，可复制修改后重发）：{text.strip()}")


def message_info(view: inbox_service.MessageView) -> MessageInfo:
    return MessageInfo(
        id=view.id,
        status_label=view.status_label,
        topic=view.topic or "未分类",
        preview=view.text or "（内容仅本处室可见）",
        deadline=fmt(view.deadline_at)[5:] if view.deadline_at else "",
        hot=view.hot,
        window=view.reply_window,
    )


class InboxBridge:
    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def sessions(self) -> SessionFactory:
        return self.services.sessions

    async def inbox(self, caller: Caller) -> list[MessageInfo]:
        views = await inbox_service.list_for(self.services, caller.key)
        # hot first; otherwise the service's order (open reply window closing soonest, deadline)
        return sorted((message_info(v) for v in views), key=lambda m: not m.hot)

    async def reply(self, caller: Caller, message_id: int, text: str) -> str:
        try:
            return await inbox_service.send_answer(self.services, message_id, caller.key, text)
        except DomainError as exc:
            raise echoed(exc, "答复", text) from None

    async def transfer(self, caller: Caller, message_id: int, department: str, note: str) -> str:
        return await inbox_service.transfer(self.services, message_id, caller.key, department, note)

    async def close(self, caller: Caller, message_id: int, reason: str) -> str:
        return await inbox_service.close(self.services, message_id, caller.key, reason)

    async def answer_public(self, caller: Caller, message_id: int, text: str) -> str:
        try:
            return await answering.answer(self.services, message_id, caller.key, text, "public")
        except DomainError as exc:
            raise echoed(exc, "答复", text) from None

    async def record_phone(self, caller: Caller, message_id: int, summary: str) -> str:
        try:
            return await answering.answer(self.services, message_id, caller.key, summary, "phone")
        except DomainError as exc:
            raise echoed(exc, "通话摘要", summary) from None

    async def moderate_comment(
        self, caller: Caller, message_id: int, action: str, reason: str
    ) -> str:
        return await comments.moderate(self.services, message_id, caller.key, action, reason)
