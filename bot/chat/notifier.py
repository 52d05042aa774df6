"""Staff notifications delivered through the reviewers' WeCom app.

Each kind is rendered from ``templates/chat/<kind>.txt.j2`` and always ends with the command
that acts on it. A notification for a person goes to that person; one for a department goes to
its members who can act on it (reviewers for tasks, repliers for messages) and have a WeCom
identity. A waiting task arrives as a card whose 认领 / 通过 / 驳回 buttons run the typed commands.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

import templates
from bot import keys
from bot.chat.backend import preview_info
from bot.chat.formatting import preview_lines
from bot.chat.ports import PreviewInfo
from bot.chat.wecom_apps import clients, first_app
from bot.preview.service import Previews
from review import eligibility
from review.errors import NotFound
from review.models import Notification, Person, ReviewTask
from review.notify import KINDS, LogDeliverer
from review.store import directory as dstore
from review.store.task_facts import task_facts

log = logging.getLogger("newmedia.notify.wecom")

TEMPLATES = templates.ROOT / "chat"
_env = templates.environment(
    "chat",
    autoescape=False,  # plain text for a chat message, never HTML
    keep_trailing_newline=False,
    undefined=jinja2.ChainableUndefined,
)
#: who in a department can answer a citizen message (others are not bothered)
MESSAGE_ROLES = ("replier", "head")
#: notification kinds about a review task: who acts is ``review.eligibility``'s rule
TASK_KINDS = ("task", "claim")


def render(note: Notification) -> str:
    _, _, sid = note.subject.partition(":")
    name = f"{note.kind}.txt.j2"
    template = _env.get_template(name if (TEMPLATES / name).exists() else "_default.txt.j2")
    context: dict[str, Any] = {
        "label": KINDS.get(note.kind, note.kind),
        "text": note.text,
        "id": sid,
        "p": note.payload or {},
        "kind": note.kind,
    }
    return template.render(**context).strip()


def can_act(person: Person, note: Notification, facts: eligibility.TaskFacts | None = None) -> bool:
    """Whether a member of the notified department can act on it (the others are not bothered).

    For a task, ``facts`` are the task's as the store reads them now (``task_facts``), so
    whoever is involved in the draft is never handed it; without them (the task is gone) the
    rule is asked with the stage role the notification carries.
    """
    kind = note.kind.partition("_")[0]
    payload = note.payload or {}
    if kind == "message":
        return any(person.has_role(r) for r in MESSAGE_ROLES)
    if kind not in TASK_KINDS and payload.get("role") != "head":
        return True
    actor = eligibility.Actor(
        person.id, person.name, person.department_id, "", frozenset(person.roles.split())
    )
    if facts is None:
        facts = eligibility.TaskFacts(
            id=int(payload.get("task_id") or 0),
            stage=str(payload.get("stage", "")),
            stage_role=str(payload.get("role") or "reviewer"),
            department_id=person.department_id,
            department="",
        )
    return eligibility.refusal(actor, facts) is None


async def _facts(s: AsyncSession, note: Notification) -> eligibility.TaskFacts | None:
    """The task's facts when the notification is about one that still exists."""
    task_id = (note.payload or {}).get("task_id")
    if note.kind.partition("_")[0] not in TASK_KINDS or not isinstance(task_id, int):
        return None
    task = await s.get(ReviewTask, task_id)
    return await task_facts(s, task) if task is not None else None


def _task_id(note: Notification) -> int:
    return int((note.payload or {}).get("task_id") or note.subject.partition(":")[2])


def task_card(note: Notification, text: str, preview: PreviewInfo | None = None) -> dict[str, Any]:
    """A button_interaction card; keys such as ``approve:12`` map to the typed commands. With
    the task's preview: the platform, the body's opening, the findings' count and the signed
    link (the card itself and its 预览 line open it in WeCom's browser)."""
    tid = _task_id(note)
    lines = text.splitlines()
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "source": {"desc": "新媒体审核"},
        "main_title": {"title": f"待审任务 {tid}"[:26], "desc": str(note.payload.get("stage", ""))},
        "sub_title_text": "\n".join(lines[:2])[:120],
        "task_id": f"task-{tid}-n{note.id}",
        "button_list": [
            {"text": "认领", "style": 3, "key": f"claim:{tid}"},
            {"text": "通过", "style": 1, "key": f"approve:{tid}"},
            {"text": "驳回", "style": 2, "key": f"reject:{tid}"},
        ],
    }
    if preview is not None:
        found = f"{len(preview.findings)} 条" if preview.findings else "未发现问题"
        card["sub_title_text"] = f"{lines[0] if lines else ''}\n{preview.excerpt}"[:112]
        card["horizontal_content_list"] = [
            {"keyname": "平台", "value": preview.platform[:26]},
            {"keyname": "检查结果", "value": found},
            {"keyname": "预览", "value": "打开预览", "type": 1, "url": preview.url},
        ]
        card["card_action"] = {"type": 1, "url": preview.url}
    return card


async def task_preview(app: web.Application, note: Notification) -> PreviewInfo | None:
    """The waiting task's preview for everyone the card goes to (no viewer: opening it from
    the card records nobody; 查看 does). None when the task is gone."""
    services = app[keys.SERVICES]
    try:
        async with services.sessions.begin() as s:
            shown = await Previews(services).for_task(s, _task_id(note), 0)
    except (NotFound, ValueError):
        return None
    return preview_info(shown)


class WeComDeliverer:
    """``review.notify.Deliverer`` over WeCom ``message/send``; logs when nobody can be reached."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.fallback = LogDeliverer()

    async def recipients(self, note: Notification) -> list[str]:
        async with self.app[keys.SESSIONS]() as s:
            if note.person_id is not None:
                people = [p for p in [await dstore.person_by_id(s, note.person_id)] if p]
            elif note.department_id is not None:
                people = await dstore.people_in(s, note.department_id)
                facts = await _facts(s, note)
                people = [p for p in people if can_act(p, note, facts)]
            else:
                people = []
            userids: list[str] = []
            for person in people:
                if person.active:
                    userids += await dstore.identities_of(s, person.id, "wecom")
        return sorted(set(userids))

    async def deliver(self, note: Notification) -> str:
        rt = first_app(self.app)
        users = await self.recipients(note)
        if rt is None or rt.api is None or not users:
            return await self.fallback.deliver(note)
        text = render(note)
        if note.kind == "task_waiting":
            preview = await task_preview(self.app, note)
            await rt.api.send_template_card(users, task_card(note, text, preview))
            if preview is not None:
                text = "\n".join([text, *preview_lines(preview)])
        await rt.api.send_text(users, text)
        log.info("notification %s (%s) sent to %d wecom user(s)", note.id, note.kind, len(users))
        return "sent"


async def context(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: WeCom API clients, then the notifier that uses them."""
    async for _ in clients(app):
        app[keys.NOTIFIER] = WeComDeliverer(app)
        yield
