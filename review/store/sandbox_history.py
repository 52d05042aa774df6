"""Writes a planned history (``review.sandbox_history``) as the service would have left it:
drafts with their revisions, gate runs (blocks first where planned), approved review tasks of
each account's chain, publications, the back-office sync's posts, citizens' messages with their
answers, and WeChat statistics. Demo data only: ``newmedia sandbox seed`` refuses a database
that already holds a seeded history (idempotency keys ``seed-…``)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from review.drafts import content_hash
from review.models import (
    CitizenMessage,
    Department,
    Draft,
    DraftTarget,
    GateRun,
    MessageReply,
    Person,
    Publication,
    ReviewStage,
    ReviewTask,
    Revision,
)
from review.models.platform_posts import PlatformPost
from review.models.platform_stats import WeChatArticleStat, WeChatFollowerStat
from review.sandbox_history import BLOCKS, History, PlannedMessage, PlannedPost
from review.store import audit
from review.store.platform_posts import record_sync
from review.timefmt import local_date

PREFIX = "seed-"
BODY = "市民政局扎实推进各项民政工作，切实保障困难群众基本生活，持续提升基本民生保障水平。"


async def seeded(session: AsyncSession) -> bool:
    q = select(func.count()).select_from(Publication)
    q = q.where(Publication.idempotency_key.like(f"{PREFIX}%"))
    return bool(await session.scalar(q))


class _People:
    """Who writes and who reviews in each department (the first person holding the role)."""

    def __init__(self, people: list[Person]) -> None:
        self.people = people

    def one(self, department_id: int, *roles: str) -> Person:
        for role in roles:
            for p in self.people:
                if p.department_id == department_id and p.has_role(role):
                    return p
        return next(p for p in self.people if p.department_id == department_id)


async def write(session: AsyncSession, history: History, as_of: datetime) -> Counter[str]:
    people = _People(list((await session.scalars(select(Person).order_by(Person.id))).all()))
    stages: dict[int, list[ReviewStage]] = {}
    for st in (await session.scalars(select(ReviewStage).order_by(ReviewStage.position))).all():
        stages.setdefault(st.account_id, []).append(st)
    counts: Counter[str] = Counter()
    drafts_by_index: dict[int, int] = {}
    for index, post in enumerate(history.posts):
        interprets = drafts_by_index.get(post.interprets) if post.interprets is not None else None
        draft_id = await _post(session, post, people, stages.get(post.account.id, []), interprets)
        drafts_by_index[index] = draft_id
        counts["posts"] += 1
        counts["blocked"] += post.blocked_check is not None
        counts["failed"] += post.published_at is None
    for i, bo in enumerate(history.back_office):
        flagged = bo.posted_at + timedelta(days=1)
        session.add(
            PlatformPost(
                account_id=bo.account.id, remote_id=f"{PREFIX}bo{i}", title=bo.title,
                excerpt=bo.title, posted_at=bo.posted_at, first_seen_at=flagged,
                last_seen_at=as_of, flagged_at=flagged if flagged < as_of else None,
            )
        )  # fmt: skip
        counts["back_office"] += 1
    for account_id in {p.account.id for p in history.posts}:
        # the demo's own sync tick may have run already: one row per account, upserted
        await record_sync(session, account_id, as_of, complete=True, problem=None)
    for i, msg in enumerate(history.messages):
        await _message(session, i, msg, people)
        counts["messages"] += 1
        counts["late"] += bool(msg.answered_at and msg.answered_at > msg.deadline_at)
    for account_id, day, new, lost, total in history.followers:
        session.add(
            WeChatFollowerStat(
                account_id=account_id, day=day, new_followers=new, lost_followers=lost,
                total_followers=total,
            )
        )  # fmt: skip
    await session.flush()
    return counts


async def _post(
    session: AsyncSession,
    post: PlannedPost,
    people: _People,
    chain: list[ReviewStage],
    interprets: int | None,
) -> int:
    account = post.account
    author = people.one(account.department_id, "editor", "head")
    created = post.submitted_at - timedelta(hours=1)
    draft = Draft(
        author_id=author.id, status="scheduled", current_revision=2 if post.blocked_check else 1,
        created_at=created, updated_at=post.approved_at,
    )  # fmt: skip
    session.add(draft)
    await session.flush()
    session.add(DraftTarget(draft_id=draft.id, account_id=account.id))
    fields: dict[str, Any] = {
        "draft_id": draft.id, "title": post.title, "body": BODY, "kind": post.kind,
        "source": None, "author_name": "", "digest": "", "cover_path": None,
        "publish_at": post.due_at, "created_by": author.id, "disclosure": "主动公开",
        "interprets_draft_id": interprets,
    }  # fmt: skip
    if post.blocked_check:
        first = Revision(number=1, created_at=created, content_hash="", **fields)
        first.content_hash = content_hash(first)
        session.add(first)
        await session.flush()
        reason = BLOCKS[post.blocked_check]
        check = {"name": post.blocked_check, "verdict": "block", "reason": reason, "evidence": []}
        report = {"verdict": "block", "checks": [check], "raw_verdict": "block", "overridden": []}
        at = post.submitted_at - timedelta(hours=3)
        session.add(GateRun(revision_id=first.id, verdict="block", report=report,
                            submitted_by=author.id, created_at=at))  # fmt: skip
    rev = Revision(
        number=draft.current_revision, created_at=post.submitted_at - timedelta(minutes=10),
        content_hash="", **fields,
    )  # fmt: skip
    rev.content_hash = content_hash(rev)
    session.add(rev)
    await session.flush()
    session.add(GateRun(revision_id=rev.id, verdict="pass", report={"verdict": "pass", "checks": []},
                        submitted_by=author.id, created_at=post.submitted_at))  # fmt: skip
    mine = [s for s in chain if not s.kinds or post.kind in s.kinds.split()]
    step = (post.approved_at - post.submitted_at) / max(1, len(mine))
    for i, stage in enumerate(mine):
        reviewer = people.one(stage.department_id, stage.role, "reviewer", "head")
        session.add(
            ReviewTask(
                draft_id=draft.id, revision_id=rev.id, account_id=account.id, stage_index=i,
                stage_name=stage.name, department_id=stage.department_id, status="approved",
                decided_by=reviewer.id, decided_at=post.submitted_at + step * (i + 1),
                approved_hash=rev.content_hash, created_at=post.submitted_at + step * i,
            )
        )  # fmt: skip
    key = f"{PREFIX}{draft.id}-{account.id}"
    published = post.published_at
    pub = Publication(
        draft_id=draft.id, revision_id=rev.id, account_id=account.id,
        status="published" if published else "failed", due_at=post.due_at,
        scheduled_for=post.due_at, attempts=1 if published else 5, idempotency_key=key,
        remote_id=f"{PREFIX}{draft.id}" if published else None, receipt_extra={},
        url=f"https://example.invalid/{account.key}/{draft.id}" if published else None,
        published_at=published, late_seconds=post.late_seconds if published else None,
        last_error=None if published else "平台暂时不可用（已重试 5 次）",
        created_at=post.approved_at, updated_at=published or post.due_at,
    )  # fmt: skip
    session.add(pub)
    await session.flush()
    if published is not None:
        session.add(
            PlatformPost(
                account_id=account.id, remote_id=pub.remote_id or key, title=post.title,
                excerpt=BODY[:60], posted_at=published, url=pub.url, marker=key,
                publication_id=pub.id, first_seen_at=published + timedelta(hours=6),
                last_seen_at=published + timedelta(hours=6),
            )
        )  # fmt: skip
        if account.platform == "wechat":
            for n, share in enumerate((0.6, 0.3, 0.1)):
                reads = int(post.reads * share)
                session.add(
                    WeChatArticleStat(
                        account_id=account.id, day=local_date(published) + timedelta(days=n),
                        msgid=f"{pub.remote_id}_1", title=post.title, reads=reads,
                        read_users=int(reads * 0.8), shares=reads // 20,
                        share_users=reads // 25,
                    )
                )  # fmt: skip
    return draft.id


async def _message(session: AsyncSession, i: int, msg: PlannedMessage, people: _People) -> None:
    row = CitizenMessage(
        account_id=msg.account.id, platform=msg.account.platform, dedup_key=f"{PREFIX}m{i}",
        sender=f"o_seed_{i % 53}", msg_type="text", text=msg.text, received_at=msg.received_at,
        status=msg.status, processed=True, topic=msg.topic, department_id=msg.department_id,
        deadline_at=msg.deadline_at, answered_at=msg.answered_at, answer_route=msg.route,
        reply_window_closes_at=msg.received_at + timedelta(hours=48),
    )  # fmt: skip
    session.add(row)
    await session.flush()
    replier = people.one(msg.department_id, "replier", "head")
    if msg.answered_at is not None:
        session.add(
            MessageReply(
                message_id=row.id, person_id=replier.id, text="您好，您反映的问题已按政策办理。",
                status="sent", created_at=msg.answered_at, sent_at=msg.answered_at,
                route=msg.route,
            )
        )  # fmt: skip
    if msg.transferred:
        dept = await session.get(Department, msg.department_id)
        await audit.append(
            session, actor=replier.key, action="message.transferred", subject_type="message",
            subject_id=row.id, detail={"to": dept.key if dept else None, "seeded": True},
        )  # fmt: skip
