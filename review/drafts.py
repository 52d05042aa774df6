"""Creating and editing drafts. Every edit makes a new immutable revision; an edit that names
no publish time keeps the draft's (a dropped time would publish at the next slot unnoticed)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from review import disclosure as disclosures
from review import interpretations
from review.draft_access import ensure_manager
from review.draft_rules import KINDS, MAX_BODY, MAX_TITLE, content_problems
from review.errors import Forbidden, NotFound, ValidationFailed
from review.models import Draft, Person, Revision, utcnow
from review.states import DraftStatus
from review.store import audit
from review.store import directory as dir_store
from review.store import drafts as store
from review.timefmt import short_time

#: KINDS and the limits live in review.draft_rules (pure; ``newmedia check`` asks it too)
__all__ = [
    "DISCLOSURES",
    "EDITABLE",
    "KINDS",
    "MAX_BODY",
    "MAX_TITLE",
    "DraftInput",
    "content_hash",
    "create",
    "edit",
    "edit_note",
    "load",
    "schedule_note",
    "validate",
]
#: the 公开属性 a form offers (review.disclosure: the first is the default)
DISCLOSURES = disclosures.DISCLOSURES
EDITABLE = {
    DraftStatus.DRAFT,
    DraftStatus.BLOCKED,
    DraftStatus.CHANGES_REQUESTED,
    DraftStatus.IN_REVIEW,
    DraftStatus.APPROVED,
    DraftStatus.SCHEDULED,
}


@dataclass(frozen=True)
class DraftInput:
    title: str
    body: str
    accounts: Sequence[str]
    kind: str = "工作动态"
    source: str | None = None
    author_name: str = ""
    digest: str = ""
    cover_path: str | None = None
    publish_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: on an edit without a publish time: True drops the old one (back to the account's slots),
    #: False keeps it — an edit that does not mention the schedule must not lose it
    clear_schedule: bool = False
    #: 公开属性 (review.disclosure); None: 主动公开 on a new draft, the draft's own on an edit —
    #: an edit that does not mention it must not turn a 不予公开 item public
    disclosure: str | None = None
    #: a 政策解读: the 规范性文件 draft it interprets; None on an edit keeps the link
    interprets: int | None = None


def content_hash(rev: DraftInput | Revision) -> str:
    """What reviewers approve: every field that changes what the public sees."""
    payload = {
        "title": rev.title,
        "body": rev.body,
        "kind": rev.kind,
        "source": rev.source,
        "author": rev.author_name,
        "digest": rev.digest,
        "cover": rev.cover_path,
    }
    if rev.disclosure not in (None, disclosures.DEFAULT):
        # only when not the default, so the hashes approved before the attribute stay valid
        payload["disclosure"] = rev.disclosure
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


def validate(inp: DraftInput, *, now: datetime | None = None) -> None:
    """The door rules (``review.draft_rules``, which ``newmedia check`` asks too), then what
    only a saved draft has: accounts and a publish time."""
    now = now or utcnow()
    problems = content_problems(inp.title, inp.body, inp.kind, inp.source)
    if problems:
        raise ValidationFailed(problems[0].message, field=problems[0].field)
    if not inp.accounts:
        raise ValidationFailed("至少选择一个发布账号（--account）", field="accounts")
    wrong = disclosures.problem(inp.disclosure) if inp.disclosure is not None else None
    if wrong:
        raise ValidationFailed(wrong, field="disclosure")
    if inp.interprets is not None and inp.kind != interpretations.INTERPRETATION:
        raise ValidationFailed(
            f"只有「{interpretations.INTERPRETATION}」稿件可以注明所解读的规范性文件",
            field="interprets",
        )
    if inp.publish_at is not None and inp.publish_at < now - timedelta(minutes=1):
        raise ValidationFailed("发布时间已经过去，请选择将来的时间", field="publish_at")


async def _account_ids(session: AsyncSession, keys: Sequence[str]) -> list[int]:
    ids: list[int] = []
    for key in dict.fromkeys(keys):
        account = await dir_store.account_by_key(session, key)
        if account is None:
            raise ValidationFailed(f"未知的账号「{key}」", field="accounts")
        ids.append(account.id)
    return ids


def _revision_fields(inp: DraftInput, author: Person) -> dict[str, Any]:
    inp = replace(inp, title=inp.title.strip(), disclosure=inp.disclosure or disclosures.DEFAULT)
    return {
        "title": inp.title.strip(),
        "body": inp.body,
        "kind": inp.kind,
        "source": inp.source,
        "author_name": inp.author_name,
        "digest": inp.digest,
        "cover_path": inp.cover_path,
        "publish_at": inp.publish_at,
        "disclosure": inp.disclosure,
        "interprets_draft_id": inp.interprets,
        "content_hash": content_hash(inp),
        "created_by": author.id,
    }


async def create(
    session: AsyncSession,
    author: Person,
    inp: DraftInput,
    *,
    answering: bool = False,
    now: datetime | None = None,
) -> tuple[Draft, Revision]:
    """Validate everything first, then write: a bad draft leaves nothing behind.

    ``answering``: a public answer (留言答复) its replier writes without an editor role — the
    caller has checked they answer the message (``review.public_answers``)."""
    if not (
        answering
        or author.has_role("editor")
        or author.has_role("operator")
        or author.has_role("admin")
    ):
        raise Forbidden(f"{author.name} 没有编辑（editor）角色，不能创建稿件")
    validate(inp, now=now)
    account_ids = await _account_ids(session, inp.accounts)
    if inp.interprets is not None:
        await interpretations.check_link(session, inp.interprets, author.department_id)
    draft = await store.insert_draft(session, author.id)
    await store.set_targets(session, draft.id, account_ids)
    rev = await store.add_revision(session, draft, **_revision_fields(inp, author))
    await audit.append(
        session,
        actor=author.key,
        action="draft.create",
        subject_type="draft",
        subject_id=draft.id,
        detail={"revision": rev.number, "hash": rev.content_hash, "accounts": list(inp.accounts)},
    )
    return draft, rev


async def edit(
    session: AsyncSession,
    editor: Person,
    draft_id: int,
    inp: DraftInput,
    *,
    now: datetime | None = None,
) -> tuple[Draft, Revision, DraftStatus]:
    """Append a revision. Returns the status the draft had, so the caller can restart review
    (any edit after submission restarts the chain: the approval pinned the old hash)."""
    draft = await store.get_draft(session, draft_id)
    if draft is None:
        raise NotFound(f"稿件 {draft_id} 不存在")
    status = DraftStatus(draft.status)
    if status not in EDITABLE:
        raise ValidationFailed(f"稿件 {draft_id} 状态为「{status}」，不能再修改")
    await ensure_manager(
        session, editor, draft, await store.target_accounts(session, draft.id), "edit"
    )
    validate(inp, now=now)
    before = await store.current_revision(session, draft)
    if inp.publish_at is None and not inp.clear_schedule:
        inp = replace(inp, publish_at=before.publish_at)  # kept, even if it has passed
    if inp.disclosure is None:
        inp = replace(inp, disclosure=before.disclosure)
    if inp.kind != interpretations.INTERPRETATION:
        inp = replace(inp, interprets=None)
    elif inp.interprets is None:
        inp = replace(inp, interprets=before.interprets_draft_id)
    elif inp.interprets != before.interprets_draft_id:
        await interpretations.check_link(
            session, inp.interprets, await _author_department(session, draft), own=draft.id
        )
    account_ids = await _account_ids(session, inp.accounts)
    await store.set_targets(session, draft.id, account_ids)
    rev = await store.add_revision(session, draft, **_revision_fields(inp, editor))
    await audit.append(
        session,
        actor=editor.key,
        action="draft.edit",
        subject_type="draft",
        subject_id=draft.id,
        detail={
            "revision": rev.number,
            "hash": rev.content_hash,
            "was": str(status),
            "schedule": schedule_note(before.publish_at, rev.publish_at),
        },
    )
    return draft, rev, status


async def _author_department(session: AsyncSession, draft: Draft) -> int:
    author = await dir_store.person_by_id(session, draft.author_id)
    if author is None:  # people are deactivated, never deleted
        raise NotFound(f"稿件 {draft.id} 的作者不存在")
    return author.department_id


def schedule_note(before: datetime | None, after: datetime | None) -> str:
    """What an edit did to the publish time, in one sentence the editor reads."""
    if after is None:
        return "发布时间已取消，改为按账号发布时段" if before else "发布时间：按账号发布时段"
    if before is None or before != after:
        return f"发布时间改为 {short_time(after)}"
    if after < utcnow():
        return f"发布时间保持为 {short_time(after)}（已过，审核通过后立即发布）"
    return f"发布时间保持为 {short_time(after)}"


async def edit_note(session: AsyncSession, draft_id: int, rev: Revision) -> str:
    """``schedule_note`` for a saved revision against the one before it (the CLI, API and
    console say it after every edit)."""
    revisions = await store.revisions(session, draft_id)
    before = next((r for r in revisions if r.number == rev.number - 1), None)
    return schedule_note(before.publish_at if before else None, rev.publish_at)


async def load(session: AsyncSession, draft_id: int) -> tuple[Draft, Revision]:
    draft = await store.get_draft(session, draft_id)
    if draft is None:
        raise NotFound(f"稿件 {draft_id} 不存在")
    return draft, await store.current_revision(session, draft)
