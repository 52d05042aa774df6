"""Stopping or moving a publication before it goes out: cancel one (or all of a draft's),
reschedule a draft. Until now the only way to stop a post was to edit the draft.

Who may: the accounts' owner department (``review.draft_rights``). Each change is a guarded
UPDATE (``review.store.schedule_changes``): a publication the publisher has claimed is not
touched, and the answer says why in Chinese. Every change is audited. The caller's session,
never committed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from review.draft_access import ensure_manager
from review.errors import Conflict, NotFound, ValidationFailed
from review.models import Draft, Person, Publication, utcnow
from review.publishing.rules import AMBIGUOUS
from review.states import DRAFT_LABELS, PUBLICATION_LABELS, DraftStatus, PublicationStatus
from review.store import audit
from review.store import directory as dirstore
from review.store import drafts as dstore
from review.store import review as rstore
from review.store import schedule_changes as store
from review.store import scheduling as sstore
from review.timefmt import short_time

P = PublicationStatus
#: what the publisher already holds: too late to stop from here
_TAKEN = {
    P.PUBLISHING: "已被发布程序领取，正在发出",
    P.PENDING: "已发出，平台正在处理",
    P.NEEDS_CHECK: "发送结果待人工核对（可能已发出）",
}
_DONE = {
    P.PUBLISHED: "已发布；如需撤下，请用「撤回」",
    P.RETRACTED: "已撤回",
    P.CANCELLED: "已取消",
    P.FAILED: "发布失败，不会自动再发",
}


def not_now(pub: Publication) -> str:
    """Why a publication can no longer be cancelled or moved, in one Chinese sentence."""
    status = P(pub.status)
    if status == P.SCHEDULED and (pub.receipt_extra or {}).get(AMBIGUOUS):
        return f"发布 {pub.id} 上次发送结果不明（可能已发出），系统正在核对，暂不能取消或改期"
    if status == P.SCHEDULED and pub.attempts:
        return f"发布 {pub.id} 已尝试发送 {pub.attempts} 次，正在自动重试，不能改期（可以取消）"
    why = _TAKEN.get(status) or _DONE.get(status) or PUBLICATION_LABELS.get(status, status)
    return f"发布 {pub.id} {why}，不能取消或改期"


async def _draft(session: AsyncSession, draft_id: int) -> Draft:
    draft = await rstore.lock_draft(session, draft_id)
    if draft is None:
        raise NotFound(f"稿件 {draft_id} 不存在")
    return draft


async def cancel_publication(session: AsyncSession, publication_id: int, person: Person) -> str:
    """Stop one scheduled publication (one account of a draft)."""
    pub = await session.get(Publication, publication_id, populate_existing=True)
    if pub is None:
        raise NotFound(f"发布 {publication_id} 不存在")
    draft = await _draft(session, pub.draft_id)
    account = await dirstore.account_by_id(session, pub.account_id)
    assert account is not None
    await ensure_manager(session, person, draft, [account])
    if not await store.cancel(session, pub.id):
        await session.refresh(pub)
        raise Conflict(not_now(pub))
    await audit.append(
        session,
        actor=person.key,
        action="publication.cancel",
        subject_type="publication",
        subject_id=pub.id,
        detail={"draft": draft.id, "account": account.key, "due_at": pub.due_at.isoformat()},
    )
    return f"已取消发布 {pub.id}（稿件 {draft.id}，{account.name}），不会再发出"


async def cancel_draft(session: AsyncSession, draft_id: int, person: Person) -> str:
    """Stop every still-scheduled publication of a draft (chat 取消, the console's button)."""
    draft = await _draft(session, draft_id)
    await ensure_manager(session, person, draft, await dstore.target_accounts(session, draft.id))
    pubs = await sstore.publications_of(session, draft.id)
    scheduled = [p for p in pubs if p.status == P.SCHEDULED]
    if not scheduled:
        raise Conflict(_nothing_scheduled(draft, pubs))
    refused = [p for p in scheduled if not await store.cancel(session, p.id)]
    if refused:  # all or nothing: the caller's transaction is rolled back
        await session.refresh(refused[0])
        raise Conflict(not_now(refused[0]))
    ids = [p.id for p in scheduled]
    await audit.append(
        session,
        actor=person.key,
        action="draft.cancel_publication",
        subject_type="draft",
        subject_id=draft.id,
        detail={"publications": ids},
    )
    return f"稿件 {draft.id} 的定时发布已取消（发布 {'、'.join(map(str, ids))}），不会再发出"


def _nothing_scheduled(draft: Draft, pubs: Sequence[Publication]) -> str:
    if not pubs:
        label = DRAFT_LABELS[DraftStatus(draft.status)]
        return f"稿件 {draft.id} 还没有排期（{label}），没有可取消的发布"
    return "；".join(not_now(p) for p in pubs)


def check_time(when: datetime, now: datetime) -> None:
    if when < now - timedelta(minutes=1):
        raise ValidationFailed("发布时间已经过去，请选择将来的时间", field="publish_at")


async def reschedule(
    session: AsyncSession,
    draft_id: int,
    person: Person,
    when: datetime,
    *,
    now: datetime | None = None,
) -> str:
    """Move a draft's publish time. Before approval it is the time the draft asks for; once
    scheduled, its scheduled publications move too and cancelled ones are scheduled again.
    The content and its approvals stay (the time is not part of what reviewers approve)."""
    now = now or utcnow()
    check_time(when, now)
    draft = await _draft(session, draft_id)
    status = DraftStatus(draft.status)
    if status in (DraftStatus.REJECTED, DraftStatus.SUBMITTED):
        raise Conflict(f"稿件 {draft.id} 状态为「{DRAFT_LABELS[status]}」，不能改期")
    accounts = await dstore.target_accounts(session, draft.id)
    await ensure_manager(session, person, draft, accounts)
    revision = await dstore.current_revision(session, draft)
    due = max(when, now)
    moved: list[int] = []
    revived: list[int] = []
    if status == DraftStatus.SCHEDULED:
        pubs = await sstore.publications_of(session, draft.id)
        for pub in pubs:
            if pub.revision_id != revision.id or pub.status in (P.PUBLISHED, P.RETRACTED):
                continue
            if pub.status == P.CANCELLED:
                ok = await sstore.revive_cancelled(
                    session,
                    pub.id,
                    revision_id=revision.id,
                    due_at=due,
                    idempotency_key=pub.idempotency_key,
                )
                revived += [pub.id] if ok else []
            else:
                ok = await store.move_due(session, pub.id, due)
            if not ok:
                await session.refresh(pub)
                raise Conflict(not_now(pub))
            moved.append(pub.id)
        if not moved:
            raise Conflict(_nothing_scheduled(draft, pubs))
    before = revision.publish_at
    await store.set_publish_at(session, revision.id, when)
    await audit.append(
        session,
        actor=person.key,
        action="draft.reschedule",
        subject_type="draft",
        subject_id=draft.id,
        detail={
            "revision": revision.number,
            "from": before.isoformat() if before else None,
            "to": when.isoformat(),
            "publications": moved,
            "revived": revived,
        },
    )
    where = f"（发布 {'、'.join(map(str, moved))}）" if moved else "，审核通过后按此时间发布"
    again = (
        f"；已取消的发布 {'、'.join(map(str, revived))} 恢复为待发布，到时会发出" if revived else ""
    )
    return f"稿件 {draft.id} 的发布时间改为 {short_time(when)}{where}{again}"
