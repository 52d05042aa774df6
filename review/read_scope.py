"""Reading a draft, a review task, a publication or a citizen's message as one person: the gate
every read surface (JSON API and console) passes before it shows one row.

The rule is ``review.visibility`` (pure; a message: ``review.replies`` ``can_see``); this module
reads its facts and answers a hidden row exactly as a missing one (``NotFound``, the same words,
HTTP 404), so nobody learns that a draft of another department exists. Lists filter in SQL with
the same scope (``scope=`` of ``review.store.drafts.list_drafts`` and
``review.store.publications.listing``).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from review import replies
from review.errors import NotFound
from review.models import CitizenMessage, Person, Publication, ReviewTask
from review.store import draft_scope
from review.store import inbox as inbox_store
from review.store import review as rstore
from review.visibility import Scope, can_see, scope_of


def scope_for(person: Person) -> Scope:
    return scope_of(person.id, person.department_id, person.roles.split())


async def may_read(session: AsyncSession, person: Person, draft_id: int) -> bool:
    facts = await draft_scope.draft_facts(session, draft_id)
    return facts is not None and can_see(scope_for(person), facts)


async def draft(session: AsyncSession, person: Person, draft_id: int) -> None:
    """Raise ``NotFound`` unless ``person`` may read draft ``draft_id``."""
    if not await may_read(session, person, draft_id):
        raise NotFound(f"稿件 {draft_id} 不存在")


async def task(session: AsyncSession, person: Person, task_id: int) -> ReviewTask:
    """The task, if ``person`` may read its draft; else ``NotFound`` as for a missing task."""
    found = await rstore.get_task(session, task_id)
    if found is None or not await may_read(session, person, found.draft_id):
        raise NotFound(f"任务 {task_id} 不存在")
    return found


async def publication(session: AsyncSession, person: Person, publication_id: int) -> Publication:
    """The publication, if ``person`` may read its draft; else ``NotFound``."""
    found = await session.get(Publication, publication_id)
    if found is None or not await may_read(session, person, found.draft_id):
        raise NotFound(f"发布记录 {publication_id} 不存在")
    return found


async def message(session: AsyncSession, person: Person, message_id: int) -> CitizenMessage:
    """The citizen's message, if ``person`` may read it (``review.replies.can_see``: admins, the
    owning department's repliers and head); else ``NotFound`` as for a missing one — the console
    answers 404 where chat and the CLI, run by staff who know the number, say 不属于您所在的处室."""
    found = await inbox_store.get(session, message_id)
    if found is None or found.msg_type == "event" or not replies.can_see(person, found):
        raise NotFound(f"留言 #{message_id} 不存在")
    return found
