"""The answer routes beyond the customer-service message (issue 14): a public answer — the
question de-identified plus the answer, a 留言答复 post through the account's review chain — and
a phone call the replier records. ``answer`` picks the route for the CLI and the console; the chat
has a command per route. Each returns an ``Outcome`` (the Chinese text to show, and whether it was
done); a refusal is a ``DomainError`` whose message says why (the surfaces keep or echo the text
typed).

A public answer runs the gate inside one transaction (no platform call: the publisher sends the
post later); the message becomes answered only when its post is published
(``review.public_answers.settle``, run by the inbox tick ``inbox_public_answers``).
"""

from __future__ import annotations

from bot.inbox import service
from bot.inbox.outcome import Outcome
from bot.services import Services
from bot.wordings.service import expand_wording
from review import answer_records, public_answers, replies
from review.answer_routes import (
    CHOSEN,
    ROUTE_LABELS,
    Surface,
    close_hint,
    public_hint,
    send_word,
)
from review.errors import ValidationFailed
from review.store import inbox as inbox_store

ROUTE_HELP = "、".join(f"{r}（{ROUTE_LABELS[r]}）" for r in CHOSEN)


async def answer(
    services: Services,
    message_id: int,
    person_key: str,
    text: str,
    route: str = "cs",
    *,
    surface: Surface = "chat",
) -> Outcome:
    """Answer by the route the replier chose (``cs``, ``public`` or ``phone``); ``surface``:
    where the replier is, so a hint names what to type there."""
    text = await expand_wording(services.sessions, text)  # 【口径12】 → its approved text
    if route == "cs":
        return await service.send_answer(services, message_id, person_key, text, surface=surface)
    if route == "public":
        return await answer_public(services, message_id, person_key, text, surface)
    if route == "phone":
        return await record_phone(services, message_id, person_key, text, surface)
    raise ValidationFailed(f"未知的答复方式「{route}」，可选：{ROUTE_HELP}", field="route")


async def answer_public(
    services: Services, message_id: int, person_key: str, text: str, surface: Surface = "chat"
) -> Outcome:
    """Write the public answer and submit it to the review chain of the message's account."""
    text = service._checked(text)  # the answer's own personal data and wording, before the post
    now = services.clock()
    async with services.sessions.begin() as session:
        person = await service._person(session, person_key)
        msg = await replies.load_visible(session, message_id, person)
        replies.require_replier(person, msg)
        await inbox_store.get_for_update(session, msg.id)  # one public answer at a time
        inp, masked = await public_answers.draft_input(session, msg, text, now)
        inp = await services.prepare_draft(inp)  # the account's standard cover
        started = await public_answers.start(
            session, msg, person, inp, text, masked=masked,
            safe_domains=services.safe_domains, limits=services.platform_limits, now=now,
        )  # fmt: skip
    return Outcome(public_text(message_id, started, surface), ok=not started.blocked)


def public_text(message_id: int, s: public_answers.Started, surface: Surface = "chat") -> str:
    if s.blocked:
        return (
            f"留言 #{message_id} 的公开答复稿件 {s.draft_id} 未通过自动检查："
            f"{'；'.join(s.reasons)}。未发布，留言仍未答复。请修改后重新{send_word(surface)}"
            f"「{public_hint(message_id, surface)}」（同一稿件生成新版本）；个人信息问题也可在控制台"
            f"稿件 {s.draft_id} 页一键去标识化后重新提交。"
        )
    hidden = f"，问题中 {s.masked} 处个人信息已隐去" if s.masked else ""
    again = "修改并重新" if s.revised else ""
    warn = f"（提示审核人：{'；'.join(s.warnings)}）" if s.warnings else ""
    return (
        f"留言 #{message_id} 的公开答复已{again}提交审核：稿件 {s.draft_id}"
        f"「留言答复·受理编号#{message_id}」（第 {s.revision} 版{hidden}）{warn}。"
        f"本账号审核通过后立即发布，发布后留言记为已答复（公开答复）；发布前仍按未答复计。"
    )


async def record_phone(
    services: Services, message_id: int, person_key: str, summary: str, surface: Surface = "chat"
) -> Outcome:
    """Record a phone call the replier made: the message is answered (route ``phone``)."""
    now = services.clock()
    async with services.sessions.begin() as session:
        person = await service._person(session, person_key)
        msg = await replies.load_visible(session, message_id, person)
        replies.require_replier(person, msg)
        await inbox_store.get_for_update(session, msg.id)
        reply_id = await answer_records.record_call(session, msg, person, summary, now)
    return Outcome(
        f"留言 #{message_id} 已记录电话答复（答复记录 #{reply_id}），留言已记为已答复。"
        f"办结后用「{close_hint(message_id, surface)}」关闭。"
    )
