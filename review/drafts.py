"""Creating and editing drafts. Every edit makes a new immutable revision."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from review.errors import Forbidden, NotFound, ValidationFailed
from review.models import Draft, Person, Revision, utcnow
from review.states import DraftStatus
from review.store import audit
from review.store import directory as dir_store
from review.store import drafts as store

KINDS = ("通知公告", "政策解读", "办事指南", "工作动态", "转载", "规范性文件", "惩戒性公示")
#: hard limits checked at the door; the gate checks the finer platform rules
MAX_TITLE = 64
MAX_BODY = 20_000
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
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


def validate(inp: DraftInput, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    if not inp.title.strip():
        raise ValidationFailed("标题不能为空", field="title")
    if len(inp.title) > MAX_TITLE:
        raise ValidationFailed(f"标题过长：{len(inp.title)} 字，最多 {MAX_TITLE} 字", field="title")
    if not inp.body.strip():
        raise ValidationFailed("正文不能为空", field="body")
    if len(inp.body) >= MAX_BODY:
        raise ValidationFailed(
            f"正文过长：{len(inp.body)} 字符，微信公众号要求少于 {MAX_BODY} 字符", field="body"
        )
    if inp.kind not in KINDS:
        raise ValidationFailed(
            f"未知的稿件类型「{inp.kind}」，可选：{'、'.join(KINDS)}", field="kind"
        )
    if inp.kind == "转载" and not (inp.source or "").strip():
        raise ValidationFailed("转载稿件必须注明来源（source）", field="source")
    if not inp.accounts:
        raise ValidationFailed("至少选择一个发布账号（--account）", field="accounts")
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
    return {
        "title": inp.title.strip(),
        "body": inp.body,
        "kind": inp.kind,
        "source": inp.source,
        "author_name": inp.author_name,
        "digest": inp.digest,
        "cover_path": inp.cover_path,
        "publish_at": inp.publish_at,
        "content_hash": content_hash(replace(inp, title=inp.title.strip())),
        "created_by": author.id,
    }


async def create(session: AsyncSession, author: Person, inp: DraftInput) -> tuple[Draft, Revision]:
    """Validate everything first, then write: a bad draft leaves nothing behind."""
    if not (author.has_role("editor") or author.has_role("operator") or author.has_role("admin")):
        raise Forbidden(f"{author.name} 没有编辑（editor）角色，不能创建稿件")
    validate(inp)
    account_ids = await _account_ids(session, inp.accounts)
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
    session: AsyncSession, editor: Person, draft_id: int, inp: DraftInput
) -> tuple[Draft, Revision, DraftStatus]:
    """Append a revision. Returns the status the draft had, so the caller can restart review
    (any edit after submission restarts the chain: the approval pinned the old hash)."""
    draft = await store.get_draft(session, draft_id)
    if draft is None:
        raise NotFound(f"稿件 {draft_id} 不存在")
    status = DraftStatus(draft.status)
    if status not in EDITABLE:
        raise ValidationFailed(f"稿件 {draft_id} 状态为「{status}」，不能再修改")
    if editor.id != draft.author_id and not editor.has_role("editor"):
        raise Forbidden(f"{editor.name} 不是稿件作者，也没有编辑角色")
    validate(inp)
    account_ids = await _account_ids(session, inp.accounts)
    await store.set_targets(session, draft.id, account_ids)
    rev = await store.add_revision(session, draft, **_revision_fields(inp, editor))
    await audit.append(
        session,
        actor=editor.key,
        action="draft.edit",
        subject_type="draft",
        subject_id=draft.id,
        detail={"revision": rev.number, "hash": rev.content_hash, "was": str(status)},
    )
    return draft, rev, status


async def load(session: AsyncSession, draft_id: int) -> tuple[Draft, Revision]:
    draft = await store.get_draft(session, draft_id)
    if draft is None:
        raise NotFound(f"稿件 {draft_id} 不存在")
    return draft, await store.current_revision(session, draft)
