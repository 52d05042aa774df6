"""The reply window's clock: reminders, the head's escalation and the automatic interim reply,
planned against the window (``review.reply_window``) as the deadline clock plans against the
deadline; and, at routing, a citizen's other messages reopened when they write again.

Each reminder is a notification with a dedup key naming the message, the window (its closing
time: a reopened window is a new one) and the point, so a tick firing twice or on two replicas
tells staff once. The interim reply is claimed in a guarded UPDATE committed before the platform
is called, sent with no transaction open, then recorded (a ``message_replies`` row with route
``interim``) and audited as the system's act; it does not answer the message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keys
from bot.config.load import Settings
from bot.inbox import weibo_answers
from bot.jobs import TickSpec
from bot.services import Services
from channels.base import ChannelError, NotSent, Rejected
from review import replies, reply_texts, reply_window
from review.models import CitizenMessage
from review.notify import notify
from review.store import audit, directory
from review.store import inbox as store
from review.store import inbox_windows as windows
from review.timefmt import fmt, short_time

log = logging.getLogger("newmedia.inbox.window")
#: platforms whose channel sends a private reply: WeChat's customer-service message, Weibo's
#: fan-service reply (``bot.inbox.weibo_answers.address``)
INTERIM_PLATFORMS = frozenset({"wechat", "weibo"})
#: sends of one interim reply when the platform answered "not sent" (then it is given up)
INTERIM_ATTEMPTS = 3


def plan_from(settings: Settings) -> reply_window.WindowPlan:
    inbox = settings.file.inbox
    return reply_window.WindowPlan(
        reminder_hours=tuple(inbox.window_reminder_hours),
        escalate_hours=inbox.window_escalate_hours,
        interim_hours=inbox.interim_hours_before_close,
    )


async def reopen_windows(session: AsyncSession, msgs: Iterable[CitizenMessage]) -> int:
    """Routing's step: each citizen's latest window in the batch reaches their other messages."""
    latest: dict[tuple[int, str], datetime] = {}
    for msg in msgs:
        closes = msg.reply_window_closes_at
        key = (msg.account_id, msg.sender)
        if closes is not None and (key not in latest or closes > latest[key]):
            latest[key] = closes
    return await windows.reopen(session, latest)


async def window_clock(app: web.Application) -> None:
    await run_window_clock(app[keys.SERVICES], plan_from(app[keys.SETTINGS]))


async def run_window_clock(services: Services, plan: reply_window.WindowPlan) -> int:
    """Tell what is due now; send the interim replies due. Returns the interim replies sent."""
    now = services.clock()
    interims: list[int] = []
    async with services.sessions.begin() as session:
        rows = await windows.closing_unanswered(session, now, now + plan.horizon)
        heads = await replies.heads_by_department(session) if rows else {}
        for msg in rows:
            closes = msg.reply_window_closes_at
            assert closes is not None
            for step in reply_window.due_steps(
                plan, closes, now, deadline=msg.deadline_at,
                interim_claimed=msg.interim_sent_at is not None,
            ):  # fmt: skip
                if step.kind == "interim":
                    if msg.platform in INTERIM_PLATFORMS:
                        interims.append(msg.id)
                    continue
                head = heads.get(msg.department_id) if msg.department_id is not None else None
                await _tell(session, msg, closes, step, plan, head, now)
    sent = 0
    for message_id in interims:
        sent += await send_interim(services, message_id, now)
    return sent


async def _tell(
    session: AsyncSession,
    msg: CitizenMessage,
    closes: datetime,
    step: reply_window.Step,
    plan: reply_window.WindowPlan,
    head_id: int | None,
    now: datetime,
) -> None:
    topic = msg.topic or "未分类"
    when = short_time(closes)
    if step.kind == "escalate":
        kind, person_id, suffix = "message_window_head", head_id, "head"
        text = (
            f"留言 #{msg.id}（{topic}）仍未答复，回复窗口将于 {when} 关闭"
            f"（不到 {reply_window.hours_text(step.hours)}），请督促尽快答复；"
            f"答复期限 {fmt(msg.deadline_at)}。"
        )
    else:
        kind, person_id, suffix = "message_window", None, f"{step.hours:g}h"
        interim = await _interim_news(session, msg, closes, plan, now)
        text = (
            f"留言 #{msg.id}（{topic}）的回复窗口将于 {when} 关闭"
            f"（不到 {reply_window.hours_text(step.hours)}），之后不能再发私信答复，只能公开答复或"
            f"电话答复；答复期限 {fmt(msg.deadline_at)}。{interim}"
        )
    key = f"message:{msg.id}:window:{int(closes.timestamp())}:{suffix}"
    await _notify_once(
        session, kind=kind, subject=f"message:{msg.id}", department_id=msg.department_id,
        person_id=person_id, text=text, dedup_key=key,
        payload={"message_id": msg.id, "closes_at": closes.isoformat(), "hours": step.hours},
    )  # fmt: skip


async def _interim_news(
    session: AsyncSession,
    msg: CitizenMessage,
    closes: datetime,
    plan: reply_window.WindowPlan,
    now: datetime,
) -> str:
    """What a reminder says of the interim reply — only what is true now: sent already, due in
    this very tick (its time passed: the tick ran late), or the time it will go out."""
    if msg.interim_sent_at is not None:  # claimed: say so only once it reached the citizen
        sent = any(
            r.route == "interim" and r.status == "sent"
            for r in await store.replies_for(session, msg.id)
        )
        return "已自动发送过渡答复。" if sent else ""
    if not (
        plan.interim_hours
        and msg.platform in INTERIM_PLATFORMS
        and reply_window.needs_interim(msg.deadline_at, closes)
    ):
        return ""
    at = closes - timedelta(hours=plan.interim_hours)
    if at <= now:
        return "过渡答复即将自动发送。"
    return f"届时仍未答复的，系统将于 {short_time(at)} 自动发送过渡答复。"


async def _notify_once(session: AsyncSession, **fields: object) -> None:
    """``notify`` in a savepoint: a replica that stored the same key a moment earlier makes
    this one a no-op instead of failing the whole tick."""
    try:
        async with session.begin_nested():
            await notify(session, **fields)  # type: ignore[arg-type]
    except IntegrityError:
        log.info("window notification %s already stored by another worker", fields["dedup_key"])


async def send_interim(services: Services, message_id: int, now: datetime) -> int:
    """Claim (commit) → send with no transaction open → record and audit. 1 when sent."""
    async with services.sessions.begin() as session:
        msg = await store.get(session, message_id)
        if msg is None or not await windows.claim_interim(session, message_id, now):
            return 0
        account = await directory.account_by_id(session, msg.account_id)
        assert account is not None and msg.deadline_at is not None
        names = await windows.department_names(session)
        department = names.get(msg.department_id or 0, "承办处室")
        text = reply_texts.interim(msg.id, department, msg.deadline_at, msg.platform, account.name)
        problem = await replies.window_problem(session, msg, now)
        reply = await store.add_reply(session, msg.id, None, text, route="interim")
        if problem:
            await store.finish_reply(session, reply.id, "outside_window", problem)
            await _record(session, msg, reply.id, "outside_window", problem)
            return 0
    status, error, retry = await send_private(services, account.key, msg, text, "interim reply")
    async with services.sessions.begin() as session:
        await store.finish_reply(session, reply.id, status, error)
        attempts = await windows.interim_attempts(session, msg.id)
        if retry and attempts < INTERIM_ATTEMPTS:  # the next tick tries again
            await windows.release_interim(session, msg.id, now)
        final = not retry or attempts >= INTERIM_ATTEMPTS
        await _record(session, msg, reply.id, status, error, final=final)
    return int(status == "sent")


async def send_private(
    services: Services, account_key: str, msg: CitizenMessage, text: str, what: str
) -> tuple[str, str | None, bool]:
    """One system message to the citizen in private (the interim reply, the public answer's
    notice; ``what`` names it in the log). (status, error, may be sent again): only a send the
    platform surely did not take is retried — an ambiguous one might already have reached them."""
    channel = services.channels.get(account_key)
    if channel is None:
        return "failed", "账号未接入", False
    try:
        if msg.platform == "weibo":
            to, ref = weibo_answers.address(msg)
            await channel.reply(to, text, ref=ref)
        else:
            await channel.reply(msg.sender, text)
    except Rejected as exc:
        refused = weibo_answers.failure(exc) if msg.platform == "weibo" else None
        if refused is not None:
            return refused[0], refused[1], False
        if exc.code in reply_window.WINDOW_CODES:
            return "outside_window", str(exc.code), False
        log.info("%s to message %d rejected: code %s", what, msg.id, exc.code)
        return "failed", f"平台拒绝：{exc.message}", False
    except NotSent as exc:
        log.info("%s to message %d not sent: %s", what, msg.id, exc.kind)
        return "failed", "平台暂时不可用", True
    except ChannelError as exc:
        log.info("%s to message %d unclear: %s", what, msg.id, exc.kind)
        return "failed", "平台未确认是否送达", False
    return "sent", None, False


async def _record(
    session: AsyncSession,
    msg: CitizenMessage,
    reply_id: int,
    status: str,
    error: str | None,
    *,
    final: bool = True,
) -> None:
    detail: dict[str, object] = {"reply_id": reply_id, "route": "interim"}
    if error:
        detail["error"] = error
    action = "message.interim_sent" if status == "sent" else "message.interim_failed"
    await audit.append(
        session, actor="system", action=action, subject_type="message", subject_id=msg.id,
        detail=detail,
    )  # fmt: skip
    if status == "sent" or not final:
        return
    why = {"outside_48h": "回复窗口已关闭", "over_count": "本窗口的私信条数已用完"}.get(
        error or "", error or "平台拒绝"
    )
    await _notify_once(
        session, kind="message_interim_failed", subject=f"message:{msg.id}",
        department_id=msg.department_id,
        text=f"留言 #{msg.id} 的过渡答复未能自动发出（{why}），请尽快直接答复或改用公开答复、电话答复。",
        payload={"message_id": msg.id, "reply_id": reply_id},
        dedup_key=f"message:{msg.id}:interim_failed",
    )  # fmt: skip


def tick_specs(app: web.Application) -> list[TickSpec]:
    return [TickSpec("inbox_window", 60, window_clock)]
