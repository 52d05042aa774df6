"""Chat commands' bridge to the inbox service (留言) and the publishing service (撤回).

Those services manage their own transactions and platform calls; they are imported when first
used so chat keeps working (and says so) where one of them is not deployed.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any

from aiohttp import web

from bot import keys
from bot.chat_services import Caller, MessageInfo
from review.db import SessionFactory
from review.errors import Conflict
from review.states import MESSAGE_LABELS, MessageStatus
from review.timefmt import fmt

OPEN_MESSAGES = ("new", "assigned", "overdue")


def _service(name: str, what: str) -> Any:
    try:
        return importlib.import_module(f"bot.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"bot.{name}":
            raise Conflict(f"{what}功能尚未启用，请在控制台办理") from None
        raise


def _field(row: Any, name: str, default: Any = None) -> Any:
    if isinstance(row, dict):
        return row.get(name, default)
    return getattr(row, name, default)


def message_info(row: Any) -> MessageInfo:
    status = str(_field(row, "status", ""))
    try:
        label = MESSAGE_LABELS[MessageStatus(status)]
    except ValueError:
        label = status
    deadline = _field(row, "deadline_at")
    due = fmt(deadline)[5:] if isinstance(deadline, datetime) else str(deadline or "")
    text = str(_field(row, "preview", None) or _field(row, "text", "") or "")
    return MessageInfo(
        id=int(_field(row, "id", 0)),
        status_label=label,
        topic=str(_field(row, "topic", None) or "未分类"),
        preview=text,
        deadline=due,
        hot=bool(_field(row, "hot", False)),
    )


class InboxServices:
    def __init__(self, app: web.Application) -> None:
        self.app = app

    @property
    def sessions(self) -> SessionFactory:
        """Read at call time: the database opens at start-up, after the routes are set up."""
        return self.app[keys.SESSIONS]

    async def inbox(self, caller: Caller) -> list[MessageInfo]:
        svc = _service("inbox_service", "留言")
        rows: list[Any] = []
        for state in OPEN_MESSAGES:
            rows.extend(await svc.list_for(self.app, caller.key, state))
        infos = sorted((message_info(r) for r in rows), key=lambda m: (not m.hot, m.id))
        return infos

    async def reply(self, caller: Caller, message_id: int, text: str) -> str:
        svc = _service("inbox_service", "留言答复")
        return str(await svc.send_answer(self.app, message_id, caller.key, text))

    async def transfer(self, caller: Caller, message_id: int, department: str, note: str) -> str:
        svc = _service("inbox_service", "留言转办")
        result = await svc.transfer(self.app, message_id, caller.key, department, note)
        return str(result) if result else f"留言 #{message_id} 已转办至{department}。"

    async def close(self, caller: Caller, message_id: int, reason: str) -> str:
        svc = _service("inbox_service", "留言关闭")
        result = await svc.close(self.app, message_id, caller.key, reason)
        return str(result) if result else f"留言 #{message_id} 已关闭。"

    async def retract(self, caller: Caller, publication_id: int, reason: str) -> str:
        svc = _service("publishing_service", "撤回")
        return str(await svc.retract(self.app, publication_id, caller.key, reason))
