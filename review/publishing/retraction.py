"""发布失当要及时整改: who may retract a published post, recording it, drafting a correction.

The platform call itself happens in bot/ between two transactions: ``prepare`` (checks, in one
short transaction) → ``channel.retract`` (no transaction) → ``record`` (guarded, audited).
A correction notice is an ordinary draft (``corrects_publication_id`` set) drafted from
``templates/corrections/notice.md.j2``; it goes through the account's review chain like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import jinja2
from sqlalchemy.ext.asyncio import AsyncSession

import templates
from review.drafts import DraftInput, content_hash, validate
from review.errors import Conflict, Forbidden, NotFound, ValidationFailed
from review.models import Account, Person, Publication, Revision, utcnow
from review.states import PUBLICATION_LABELS
from review.states import PublicationStatus as P
from review.store import audit
from review.store import directory as dir_store
from review.store import drafts as draft_store
from review.store import publications as store
from review.timefmt import fmt, to_local

_env = templates.environment(
    "corrections",
    autoescape=False,  # Markdown, not HTML; the renderers escape it later
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class RetractPlan:
    publication_id: int
    account_key: str
    remote_id: str
    index: int
    title: str
    person_key: str


async def _load(
    session: AsyncSession, publication_id: int
) -> tuple[Publication, Account, Revision]:
    pub = await store.get(session, publication_id)
    if pub is None:
        raise NotFound(f"发布记录 {publication_id} 不存在")
    account = await dir_store.account_by_id(session, pub.account_id)
    revision = await draft_store.revision_by_id(session, pub.revision_id)
    assert account is not None and revision is not None
    return pub, account, revision


async def authorise(
    session: AsyncSession, person_key: str, account: Account, *, doing: str = "撤回或更正"
) -> Person:
    """谁开设、谁管理: a reviewer or head of the account's owner department (``doing`` names the
    action in the refusal)."""
    person = await dir_store.person_by_name_or_key(session, person_key)
    if person is None or not person.active:
        raise Forbidden(f"未知或已停用的人员「{person_key}」")
    if person.department_id != account.owner_department_id or not (
        person.has_role("reviewer") or person.has_role("head")
    ):
        raise Forbidden(f"{person.name} 不是账号「{account.name}」主管部门的审核人，不能{doing}")
    return person


async def prepare(
    session: AsyncSession, publication_id: int, person_key: str, reason: str
) -> RetractPlan:
    if not reason.strip():
        raise ValidationFailed("撤回必须写明原因", field="reason")
    pub, account, revision = await _load(session, publication_id)
    person = await authorise(session, person_key, account)
    if pub.status != P.PUBLISHED:
        label = PUBLICATION_LABELS.get(P(pub.status), pub.status)
        raise Conflict(f"发布记录 {publication_id} 当前状态为「{label}」，只有已发布的内容可以撤回")
    if not pub.remote_id:
        raise Conflict(f"发布记录 {publication_id} 没有平台编号，请到平台后台手动删除")
    index = int((pub.receipt_extra or {}).get("index") or 1)
    return RetractPlan(pub.id, account.key, pub.remote_id, index, revision.title, person.key)


async def record(
    session: AsyncSession, plan: RetractPlan, reason: str, now: datetime | None = None
) -> None:
    now = now or utcnow()
    if not await store.mark_retracted(session, plan.publication_id, reason.strip(), now):
        raise Conflict(f"发布记录 {plan.publication_id} 已被他人处理，请刷新后查看")
    await audit.append(
        session,
        actor=plan.person_key,
        action="publication.retract",
        subject_type="publication",
        subject_id=plan.publication_id,
        detail={
            "account": plan.account_key,
            "remote_id": plan.remote_id,
            "index": plan.index,
            "reason": reason.strip(),
        },
    )


def render_notice(
    *,
    title: str,
    published_at: datetime | None,
    retracted_at: datetime | None,
    reason: str,
    correction: str,
    department: str,
    now: datetime,
) -> str:
    return _env.get_template("notice.md.j2").render(
        title=title,
        published_at=fmt(published_at) if published_at else "此前",
        retracted=retracted_at is not None,
        retracted_at=fmt(retracted_at) if retracted_at else "",
        reason=reason.strip() or "原文内容有误",
        correction=correction.strip(),
        department=department,
        today=to_local(now).strftime("%Y年%m月%d日"),
    )


async def draft_correction(
    session: AsyncSession, publication_id: int, person_key: str, *, correction: str = ""
) -> tuple[int, Revision, Person]:
    """A correction notice for the same account, as a new draft awaiting review.

    Drafted by the authorised reviewer (they need no editor role for this one kind of draft);
    it still passes the gate and every stage of the chain — the author cannot approve it."""
    pub, account, revision = await _load(session, publication_id)
    person = await authorise(session, person_key, account)
    if pub.status not in (P.PUBLISHED, P.RETRACTED):
        raise Conflict(f"发布记录 {publication_id} 尚未发布，无需更正；可直接修改原稿")
    department = await dir_store.department_by_id(session, account.owner_department_id)
    now = utcnow()
    body = render_notice(
        title=revision.title,
        published_at=pub.published_at,
        retracted_at=pub.retracted_at,
        reason=pub.retract_reason or "",
        correction=correction,
        department=department.name if department else "",
        now=now,
    )
    title = f"更正说明：{revision.title}"[:32]
    inp = DraftInput(title=title, body=body, accounts=[account.key], kind="通知公告")
    validate(inp)
    draft = await draft_store.insert_draft(
        session, person.id, corrects_publication_id=publication_id
    )
    await draft_store.set_targets(session, draft.id, [account.id])
    rev = await draft_store.add_revision(
        session,
        draft,
        title=inp.title,
        body=inp.body,
        kind=inp.kind,
        source=None,
        author_name="",
        digest="",
        cover_path=revision.cover_path,
        publish_at=None,
        content_hash="",
        created_by=person.id,
    )
    rev.content_hash = content_hash(rev)
    await session.flush()
    await audit.append(
        session,
        actor=person.key,
        action="draft.correction",
        subject_type="draft",
        subject_id=draft.id,
        detail={"corrects_publication": publication_id, "hash": rev.content_hash},
    )
    return draft.id, rev, person
