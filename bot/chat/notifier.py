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
from bot.chat.wecom_apps import clients, first_app
from review import eligibility
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


def task_card(note: Notification, text: str) -> dict[str, Any]:
    """A button_interaction card; keys such as ``approve:12`` map to the typed commands."""
    tid = int((note.payload or {}).get("task_id") or note.subject.partition(":")[2])
    lines = text.splitlines()
    return {
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
            await rt.api.send_template_card(users, task_card(note, text))
        await rt.api.send_text(users, text)
        log.info("notification %s (%s) sent to %d wecom user(s)", note.id, note.kind, len(users))
        return "sent"


async def context(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: WeCom API clients, then the notifier that uses them."""
    async for _ in clients(app):
        app[keys.NOTIFIER] = WeComDeliverer(app)
        yield
