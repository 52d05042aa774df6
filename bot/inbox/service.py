"""What staff do with citizen messages (chat commands, CLI and console all call these).

Answering follows the house rule "never hold a transaction across a platform call": check and
queue the answer (commit) → send through the channel with no transaction open → record the
outcome and audit it. Each function returns the Chinese confirmation or instruction to show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.inbox import comments, weibo_answers
from bot.inbox.outcome import Outcome
from bot.services import Services
from bot.wordings.service import expand_wording
from channels.base import ChannelError, Rejected
from review import comment_moderation, public_answers, replies, reply_texts, reply_window
from review.answer_routes import Surface, other_routes, reply_label
from review.checks import check_reply_text
from review.checks.types import Verdict
from review.errors import Conflict, NotFound, ValidationFailed
from review.models import CitizenMessage, Person, utcnow
from review.states import MessageStatus
from review.store import audit, directory
from review.store import inbox as store
from review.timefmt import fmt

log = logging.getLogger("newmedia.inbox")
M = MessageStatus
ANSWERABLE = (M.NEW, M.ASSIGNED, M.OVERDUE, M.ANSWERED)
MAX_ANSWER = 600

OUTSIDE_WINDOW = (
    "留言 #{id} 的答复未能发出：{why}。答复已保存（答复记录 #{reply}），留言仍未答复。"
    "仍可用的答复方式——{routes}。"
)
WHY = {
    "outside_48h": "已超出 48 小时回复窗口（网民最后一次留言后 48 小时内才能发私信答复）",
    "over_count": "48 小时内已向该网民发送 5 条客服消息",
    "45015": "已超出微信 48 小时客服消息窗口（或网民已取消关注）",
    "45047": "已达到微信客服消息条数上限",
    **weibo_answers.WHY,
}


async def _person(session: Any, person_key: str) -> Person:
    person = await directory.person_by_name_or_key(session, person_key)
    if person is None or not person.active:
        raise NotFound(f"未知的人员「{person_key}」")
    return person


def _checked(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationFailed("答复内容不能为空", field="text")
    if len(text) > MAX_ANSWER:
        raise ValidationFailed(f"答复内容超过 {MAX_ANSWER} 字", field="text")
    report = check_reply_text(text)
    if report.verdict is Verdict.BLOCK:
        reasons = "；".join(c.reason for c in report.checks if c.verdict is Verdict.BLOCK)
        raise ValidationFailed(f"答复未通过检查，未发送：{reasons}。请修改后重新答复。")
    return text


#: a reply still "queued" this long after it was written was interrupted, not in flight
IN_FLIGHT = timedelta(minutes=2)


async def send_answer(
    services: Services, message_id: int, person_key: str, text: str, *, surface: Surface = "chat"
) -> Outcome:
    """Send a cs (or in-place comment, Weibo) answer; ``surface`` words the routes left."""
    text = _checked(await expand_wording(services.sessions, text))  # 【口径12】 → its text
    sessions, now = services.sessions, services.clock()
    async with sessions.begin() as session:
        person = await _person(session, person_key)
        msg = await replies.load_visible(session, message_id, person)
        replies.require_replier(person, msg)
        await comment_moderation.require_answerable(session, msg)  # not under a deleted comment
        if msg.status not in ANSWERABLE:
            raise Conflict(f"留言 #{msg.id} 当前为「{replies.label(msg.status)}」，不能答复")
        route = weibo_answers.route(msg) if msg.platform == "weibo" else comments.route_of(msg)
        too_long = weibo_answers.length_problem(msg, text) if msg.platform == "weibo" else None
        if too_long:
            raise ValidationFailed(too_long, field="text")
        await store.get_for_update(session, msg.id)  # one answer at a time per message
        for earlier in await store.replies_for(session, msg.id):
            if earlier.status == "queued":
                if now - earlier.created_at < IN_FLIGHT:
                    raise Conflict(f"留言 #{msg.id} 正由他人答复中，请稍后用「查看」确认结果")
                await store.finish_reply(session, earlier.id, "failed", "发送中断（服务重启）")
        account = await directory.account_by_id(session, msg.account_id)
        assert account is not None
        problem = await replies.window_problem(session, msg, now)
        reply = await store.add_reply(session, msg.id, person.id, text, route=route)
        if problem:
            await store.finish_reply(session, reply.id, "outside_window", problem)
            await _audit(session, person, msg, "message.reply_outside_window", reply.id, problem)
    if problem:
        routes = other_routes(msg.id, msg.platform, surface)
        return Outcome(
            OUTSIDE_WINDOW.format(id=msg.id, why=WHY[problem], reply=reply.id, routes=routes), False
        )
    status, error = await _deliver(services, account.key, account.name, msg, text)
    async with sessions.begin() as session:
        await store.finish_reply(session, reply.id, status, error)
        if status == "sent":
            await store.move(session, msg.id, M.ANSWERED, assigned_to=person.id)
            await store.set_fields(session, msg.id, answer_route=route, answered_at=now)
        await _audit(session, person, msg, f"message.reply_{status}", reply.id, error, route)
    if status == "sent":
        where = "已公开显示在该评论下方" if route == "comment" else "已发送给网民"
        return Outcome(f"留言 #{msg.id} 已答复，{where}。")
    if status == "outside_window":
        return Outcome(OUTSIDE_WINDOW.format(
            id=msg.id, why=WHY.get(error or "", "平台拒绝"), reply=reply.id,
            routes=other_routes(msg.id, msg.platform, surface),
        ), False)  # fmt: skip
    return Outcome(
        f"留言 #{msg.id} 的答复发送失败（{error}），答复已保存，请稍后重试或联系管理员。", False
    )


async def _deliver(
    services: Services, account_key: str, account_name: str, msg: CitizenMessage, text: str
) -> tuple[str, str | None]:
    if comment_moderation.is_article_comment(msg):  # in place, under the comment
        return await comments.reply_in_place(services, account_key, msg, text)
    channel = services.channels.get(account_key)
    if channel is None:
        return "failed", "账号未接入"
    try:
        if msg.platform == "weibo":
            to, ref = weibo_answers.address(msg)
            await channel.reply(to, text, ref=ref)
        else:
            await channel.reply(msg.sender, reply_texts.answer(msg.id, text, account_name))
    except Rejected as exc:
        if msg.platform == "weibo" and (weibo := weibo_answers.failure(exc)):
            return weibo
        if exc.code in reply_window.WINDOW_CODES:
            return "outside_window", str(exc.code)
        log.info("answer to message %d rejected: code %s", msg.id, exc.code)
        return "failed", f"平台拒绝：{exc.message}"
    except ChannelError as exc:
        if msg.platform == "weibo" and (weibo := weibo_answers.failure(exc)):
            return weibo
        log.info("answer to message %d not sent: %s", msg.id, exc.kind)
        return "failed", "平台暂时不可用"
    return "sent", None


async def _audit(
    session: Any,
    person: Person,
    msg: CitizenMessage,
    action: str,
    reply_id: int,
    error: str | None,
    route: str | None = None,
) -> None:
    detail: dict[str, Any] = {"reply_id": reply_id}
    if route:
        detail["route"] = route
    if error:
        detail["error"] = error
    await audit.append(
        session, actor=person.key, action=action, subject_type="message", subject_id=msg.id,
        detail=detail,
    )  # fmt: skip


async def transfer(
    services: Services, message_id: int, person_key: str, dept_name: str, note: str
) -> str:
    async with services.sessions.begin() as session:
        person = await _person(session, person_key)
        msg = await replies.load_visible(session, message_id, person)
        dept = await directory.department_by_name_or_key(session, dept_name)
        if dept is None:
            raise NotFound(f"未知的处室「{dept_name}」")
        await replies.transfer(session, msg, person, dept, note)
    return f"留言 #{message_id} 已转办至{dept.name}。"


async def close(
    services: Services, message_id: int, person_key: str, reason: str, *, dismiss: bool = False
) -> str:
    async with services.sessions.begin() as session:
        person = await _person(session, person_key)
        msg = await replies.load_visible(session, message_id, person)
        await replies.close(session, msg, person, reason, dismiss=dismiss)
    return f"留言 #{message_id} 已{'忽略' if dismiss else '关闭'}。"


@dataclass(frozen=True)
class MessageView:
    """A message as one person may see it (text and sender only when allowed)."""

    id: int
    status: str
    status_label: str
    platform: str
    topic: str | None
    department_id: int | None
    hot: bool
    received_at: datetime
    deadline_at: datetime | None
    deadline_note: str | None
    text: str | None
    sender: str | None
    #: when the platform stops taking private messages to the citizen (None: no window)
    reply_window_closes_at: datetime | None = None
    #: 「回复窗口 12月7日 18:00 关闭」, 「回复窗口已关闭」 or 「无回复窗口」
    reply_window: str = "无回复窗口"
    #: when the automatic interim reply was taken (its outcome: the route "interim" reply)
    interim_sent_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["received"] = fmt(self.received_at)
        out["deadline"] = fmt(self.deadline_at)
        return out


def view(msg: CitizenMessage, person: Person, now: datetime | None = None) -> MessageView:
    visible = replies.can_see(person, msg)
    closes = msg.reply_window_closes_at
    return MessageView(
        msg.id, msg.status, replies.label(msg.status), msg.platform, msg.topic, msg.department_id,
        msg.hot, msg.received_at, msg.deadline_at, msg.deadline_note,
        msg.text if visible else None, msg.sender if visible else None,
        closes, reply_window.describe(closes, now or utcnow()), msg.interim_sent_at,
    )  # fmt: skip


async def list_for(
    services: Services, person_key: str, state: str | None = None, *, limit: int = 100
) -> list[MessageView]:
    """Open messages of the person's department (admins: all); ``state`` narrows it."""
    async with services.sessions() as session:
        return await list_in(session, person_key, state, limit=limit, now=services.clock())


async def list_in(
    session: Any,
    person_key: str,
    state: str | None,
    *,
    limit: int = 100,
    now: datetime | None = None,
) -> list[MessageView]:
    """The open queue: open reply windows first, closing soonest on top, then by deadline."""
    person = await _person(session, person_key)
    if state is not None and state not in {s.value for s in M}:
        raise ValidationFailed(f"未知的状态「{state}」", field="state")
    states = (state,) if state else store.OPEN_STATES
    dept = None if person.has_role("admin") else person.department_id
    now = now or utcnow()
    rows = await store.list_messages(
        session, states=states, department_id=dept, limit=limit, now=now
    )
    return [view(m, person, now) for m in rows]


async def show(services: Services, message_id: int, person_key: str) -> dict[str, Any]:
    async with services.sessions() as session:
        return await show_in(session, message_id, person_key, now=services.clock())


async def show_in(
    session: Any, message_id: int, person_key: str, *, now: datetime | None = None
) -> dict[str, Any]:
    person = await _person(session, person_key)
    msg = await replies.load_visible(session, message_id, person)
    out = view(msg, person, now).to_json()
    out["replies"] = [
        {
            "id": r.id,
            "status": r.status,
            "status_label": reply_label(r.status),
            "text": r.text,
            "error": r.error,
            "at": fmt(r.created_at),
            "route": r.route,
        }
        for r in await store.replies_for(session, msg.id)
    ]
    out["notes"] = [
        {"text": n.text, "at": fmt(n.created_at)} for n in await store.notes_for(session, msg.id)
    ]
    # how the answer reached the citizen (None: not yet), and the public answer's post
    out["answer_route"], out["answered"] = msg.answer_route, fmt(msg.answered_at)
    public = await public_answers.info(session, msg.id)
    out["public_answer"] = public.to_json() if public else None
    out["comment"] = await comments.state_text(session, msg)  # 精选, 已删除（原因）; None
    return out
