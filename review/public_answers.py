"""Public answers (留言答复): a citizen's question, de-identified, with the answer, published
through the review chain of the account the message came in on.

The replier writes it (``start``): a draft of kind 留言答复 is made — or, when the last one was
stopped by the gate or sent back by a reviewer, revised — and submitted like any draft (same gate,
same chain, ``review.submission.submit``). The message records the draft (``public_draft_id``)
and stays unanswered: ``settle``, run by the inbox tick, marks it answered (route ``public``) only
once the post's publication is published, and tells the replier when the post stalls (returned,
rejected, failed, cancelled). Published while the citizen's reply window is still open, it also
claims one private notice with the link (a ``message_replies`` row, route ``notice``, committed
with the answer: one replica answers the message, so one sends it) for the caller to send after
the commit. A tick rather than a hook in the publishing engine: a post becomes
published by several paths (the engine, the pending poll, PUBLISHJOBFINISH, a person settling
it), and one guarded step after all of them keeps the publisher free of inbox rules.

Functions take an ``AsyncSession`` and never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import PlatformLimits
from review import answer_routes as routes
from review import drafts, replies, reply_texts, reply_window, submission
from review.answer_routes import PublicState
from review.errors import Conflict, ValidationFailed
from review.models import CitizenMessage, Person
from review.notify import notify
from review.public_answer_text import post
from review.store import audit, directory
from review.store import inbox as inbox_store
from review.store import public_answers as store

SUPERSEDED = "superseded"
#: the reply row of the private notice telling the citizen where their answer was published
NOTICE = "notice"


@dataclass(frozen=True)
class Started:
    """A public answer sent on its way (or stopped by the gate: ``blocked``)."""

    draft_id: int
    revision: int
    reply_id: int
    blocked: bool
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    masked: int
    account: str
    revised: bool


@dataclass(frozen=True)
class PublicInfo:
    """A message's public answer as ``inbox show`` reports it."""

    draft_id: int
    state: PublicState
    publication_id: int | None
    url: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "draft_id": self.draft_id, "state": str(self.state),
            "state_label": routes.PUBLIC_LABELS[self.state],
            "publication_id": self.publication_id, "url": self.url,
        }  # fmt: skip


async def info(session: AsyncSession, message_id: int) -> PublicInfo | None:
    row = await store.of_message(session, message_id)
    if row is None:
        return None
    pub = row.publication
    state = routes.public_state(row.draft_status, pub.status if pub else None)
    return PublicInfo(
        row.message.public_draft_id or 0, state, pub.id if pub else None, pub.url if pub else None
    )


async def draft_input(
    session: AsyncSession, msg: CitizenMessage, answer: str, now: datetime
) -> tuple[drafts.DraftInput, int]:
    """The 留言答复 draft for ``msg`` on its own account, to publish as soon as it is approved,
    and how many pieces of personal data the question's masking hid."""
    if problem := routes.text_problem(answer, "答复内容"):
        raise ValidationFailed(problem, field="text")
    account = await directory.account_by_id(session, msg.account_id)
    dept = await directory.department_by_id(session, msg.department_id or 0)
    assert account is not None
    department = dept.name if dept else "本局"
    p = post(
        msg.id, msg.text, answer, received_at=msg.received_at, department=department,
        answered_on=now,
    )  # fmt: skip
    inp = drafts.DraftInput(
        title=p.title, body=p.body, accounts=[account.key], kind=routes.PUBLIC_KIND,
        author_name=department, publish_at=now,
    )  # fmt: skip
    return inp, p.masked


async def start(
    session: AsyncSession,
    msg: CitizenMessage,
    person: Person,
    inp: drafts.DraftInput,
    answer: str,
    *,
    masked: int,
    safe_domains: Mapping[str, str | None],
    limits: Mapping[str, PlatformLimits],
    now: datetime,
) -> Started:
    """Write the public answer and submit it; the caller has checked ``person`` answers ``msg``
    (``review.replies.require_replier``) and locked the message row."""
    if msg.status not in store.WAITING:
        why = "已答复，无需公开答复" if msg.answered_at else "已办结"
        raise Conflict(f"留言 #{msg.id} {why}（当前「{replies.label(msg.status)}」）")
    current = await store.of_message(session, msg.id)
    revised = False
    if current is not None:
        pub = current.publication
        state = routes.public_state(current.draft_status, pub.status if pub else None)
        label = routes.PUBLIC_LABELS[state]
        draft_id = current.message.public_draft_id or 0
        if state in routes.LIVE:
            raise Conflict(
                f"留言 #{msg.id} 的公开答复（稿件 {draft_id}）{label}，请等待结果；"
                f"如需修改，请联系审核人退回后再发送"
            )
        if state == PublicState.PUBLISHED:
            raise Conflict(f"留言 #{msg.id} 的公开答复（稿件 {draft_id}）已发布，将自动记为已答复")
        revised = state in routes.REVISABLE
    if current is not None and revised:
        draft, rev, _ = await drafts.edit(
            session, person, current.message.public_draft_id or 0, inp, now=now
        )
    else:
        draft, rev = await drafts.create(session, person, inp, answering=True, now=now)
        await inbox_store.set_fields(session, msg.id, public_draft_id=draft.id)
    await store.settle_public_replies(
        session, msg.id, SUPERSEDED, statuses=(routes.PUBLIC_PENDING, routes.PUBLIC_FAILED)
    )
    reply = await store.add_reply(
        session, msg.id, person.id, answer.strip(), "public", routes.PUBLIC_PENDING
    )
    result = await submission.submit(
        session, draft.id, person, safe_domains=safe_domains, limits=limits, now=now
    )
    if result.blocked:
        await store.settle_public_replies(
            session, msg.id, routes.PUBLIC_FAILED, "未通过自动检查：" + "；".join(result.reasons)
        )
    await audit.append(
        session, actor=person.key, action="message.public_answer", subject_type="message",
        subject_id=msg.id,
        detail={"draft_id": draft.id, "revision": rev.number, "reply_id": reply.id,
                "verdict": result.verdict, "masked": masked},
    )  # fmt: skip
    return Started(
        draft.id, rev.number, reply.id, result.blocked, result.reasons, result.warnings,
        masked, inp.accounts[0], revised,
    )  # fmt: skip


@dataclass(frozen=True)
class Settled:
    """What ``settle`` did: messages answered, and the notices claimed (reply ids) to send
    once the transaction has committed."""

    answered: int = 0
    notices: tuple[int, ...] = ()


async def settle(session: AsyncSession, now: datetime, *, limit: int = 200) -> Settled:
    """Published public answers answer their messages; stalled ones are told to their writer."""
    answered, after, notices = 0, 0, []
    while rows := await store.awaiting(session, after, limit):
        for row in rows:
            msg, pub = row.message, row.publication
            state = routes.public_state(row.draft_status, pub.status if pub else None)
            if state == PublicState.PUBLISHED and pub is not None:
                if await _answered(session, msg, pub.id, pub.published_at or now, now):
                    answered += 1
                    if (notice := await _claim_notice(session, msg, pub.url, now)) is not None:
                        notices.append(notice)
            elif state in routes.STALLED:
                await _stalled(session, msg, row.revision, state, now)
        after = rows[-1].message.id
    return Settled(answered, tuple(notices))


async def _claim_notice(
    session: AsyncSession, msg: CitizenMessage, url: str | None, now: datetime
) -> int | None:
    """The notice's reply row (``queued``), when the citizen can still be written to in
    private; outside the window nothing is sent — the publication answers the message."""
    if not url or reply_window.rule_for(msg.platform, msg.msg_type) is None:
        return None
    if await replies.window_problem(session, msg, now):
        return None
    text = reply_texts.public_answer_notice(msg.id, url, msg.platform)
    return (await store.add_reply(session, msg.id, None, text, NOTICE, "queued")).id


async def _answered(
    session: AsyncSession, msg: CitizenMessage, publication_id: int, at: datetime, now: datetime
) -> int:
    if not await store.mark_answered(session, msg.id, "public", at, first=True):
        return 0  # closed, or answered by another route meanwhile
    await store.settle_public_replies(
        session, msg.id, routes.PUBLIC_PUBLISHED, sent_at=at,
        statuses=(routes.PUBLIC_PENDING, routes.PUBLIC_FAILED),
    )  # fmt: skip
    await audit.append(
        session, actor="system", action="message.answered", subject_type="message",
        subject_id=msg.id,
        detail={"route": "public", "draft_id": msg.public_draft_id,
                "publication_id": publication_id},
    )  # fmt: skip
    writer = await store.latest_public_reply(session, msg.id)
    await notify(
        session, kind="message_public_answer", subject=f"message:{msg.id}",
        department_id=msg.department_id, person_id=writer.person_id if writer else None,
        text=f"留言 #{msg.id} 的公开答复（稿件 {msg.public_draft_id}）已发布，留言已记为已答复。",
        payload={"message_id": msg.id, "draft_id": msg.public_draft_id, "state": "published"},
        dedup_key=f"message:{msg.id}:public:{msg.public_draft_id}:published", at=now,
    )  # fmt: skip
    return 1


async def _stalled(
    session: AsyncSession, msg: CitizenMessage, revision: int, state: PublicState, now: datetime
) -> None:
    label = routes.PUBLIC_LABELS[state]
    writer = await store.latest_public_reply(session, msg.id)
    note = await notify(
        session, kind="message_public_answer", subject=f"message:{msg.id}",
        department_id=msg.department_id, person_id=writer.person_id if writer else None,
        text=(f"留言 #{msg.id} 的公开答复（稿件 {msg.public_draft_id}）{label}，未发布，"
              f"留言仍未答复。"),
        payload={"message_id": msg.id, "draft_id": msg.public_draft_id, "state": str(state)},
        dedup_key=f"message:{msg.id}:public:{msg.public_draft_id}:r{revision}:{state}", at=now,
    )  # fmt: skip
    if note is None:
        return  # told already
    await store.settle_public_replies(session, msg.id, routes.PUBLIC_FAILED, label)
    await audit.append(
        session, actor="system", action="message.public_answer_stalled", subject_type="message",
        subject_id=msg.id, detail={"draft_id": msg.public_draft_id, "state": str(state)},
    )  # fmt: skip
