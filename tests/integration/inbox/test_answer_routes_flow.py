"""The routes a final answer takes once WeChat's 48-hour window has shut (issue 14), end to end on
the real app and the demo sandbox: a customer-service answer is refused with the routes that
still work; a public answer becomes a 留言答复 draft with the question de-identified, goes
through the account's review chain, is published by the publisher, and only then answers the
message; a phone call is recorded; refusals say why and keep the text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from inbox_support import approve_chain, demo_client, follower, sandbox_of, wait_for
from sqlalchemy import select

from bot import keys
from bot.chat.backend_inbox import InboxBridge
from bot.chat.ports import Caller
from bot.config.load import Settings
from bot.inbox import answer_ticks, answering
from bot.inbox import service as inbox_service
from review import public_answers, queue
from review.db import SessionFactory
from review.errors import Conflict, Forbidden, ValidationFailed
from review.models import (
    AuditEvent,
    CitizenMessage,
    Draft,
    MessageReply,
    Notification,
    Publication,
    ReviewTask,
    Revision,
    utcnow,
)
from review.publishing.reconciliation import poll_pending
from review.store import directory

NAME, PHONE = "张桂兰", "13912345678"
QUESTION = f"我叫{NAME}，电话{PHONE}，我母亲今年82岁，申请高龄津贴两个月了一直没批下来，怎么办？"
ANSWER = "您好，经核实，您母亲的高龄津贴申请已于12月1日审批通过，将于12月底前发放到账。"


@pytest.fixture
async def client(settings: Settings, sf: SessionFactory) -> AsyncIterator[TestClient[Any, Any]]:
    async with demo_client(settings) as c:  # sf: the database is migrated first
        yield c


async def message_outside_window(
    client: TestClient[Any, Any], settings: Settings, sf: SessionFactory, text: str, openid: str
) -> CitizenMessage:
    """A citizen's message, routed, whose window shut a day ago (they wrote three days ago)."""
    await follower(client, settings, openid=openid).send_text(text)

    async def routed() -> bool:
        async with sf() as s:
            row = await s.scalar(select(CitizenMessage).where(CitizenMessage.text == text))
            return row is not None and row.processed

    await wait_for(routed)
    async with sf.begin() as s:
        row = await s.scalar(select(CitizenMessage).where(CitizenMessage.text == text))
        assert row is not None
        row.received_at = utcnow() - timedelta(days=3)
        row.reply_window_closes_at = utcnow() - timedelta(days=1)
    sandbox_of(client).wechat.state("ccmz_wechat").cs_window.clear()
    async with sf() as s:
        got = await s.get(CitizenMessage, row.id)
        assert got is not None
        return got


async def message_row(sf: SessionFactory, message_id: int) -> CitizenMessage:
    async with sf() as s:
        row = await s.get(CitizenMessage, message_id)
        assert row is not None
        return row


async def settle(client: TestClient[Any, Any]) -> None:
    await answer_ticks.settle_public_answers(client.app)


@pytest.mark.pg
async def test_outside_the_window_a_public_answer_answers_only_once_published(
    client: TestClient[Any, Any], settings: Settings, sf: SessionFactory
) -> None:
    services = client.app[keys.SERVICES]
    sandbox = sandbox_of(client)
    msg = await message_outside_window(client, settings, sf, QUESTION, "o_public_1")
    assert msg.topic in ("养老服务", "老龄工作") and msg.status == "assigned"  # 养老服务处

    # the customer-service message cannot go out: the reply names the routes that still work
    refused = await inbox_service.send_answer(services, msg.id, "sun_li", ANSWER)
    assert (
        "48 小时" in refused and f"公开答复 #{msg.id}" in refused and f"电话 #{msg.id}" in refused
    )
    assert sandbox.wechat.state("ccmz_wechat").sent == []

    started = await answering.answer(services, msg.id, "sun_li", ANSWER, "public")
    assert "提交审核" in started and "个人信息已隐去" in started
    row = await message_row(sf, msg.id)
    assert row.public_draft_id is not None and row.status == "assigned"
    assert row.answer_route is None and row.answered_at is None
    async with sf() as s:
        draft = await s.get(Draft, row.public_draft_id)
        rev = await s.scalar(select(Revision).where(Revision.draft_id == row.public_draft_id))
        author = await directory.person_by_key(s, "sun_li")
    assert draft is not None and rev is not None and author is not None
    assert draft.status == "in_review" and draft.author_id == author.id
    assert rev.kind == "留言答复" and rev.title == f"留言答复·受理编号#{msg.id}"
    assert NAME not in rev.body and PHONE not in rev.body  # the question de-identified
    assert "张*兰" in rev.body and "139****5678" in rev.body and ANSWER in rev.body
    shown = await inbox_service.show(services, msg.id, "sun_li")
    assert shown["answer_route"] is None and shown["public_answer"]["state"] == "review"

    # a second public answer while the first is in review is refused
    with pytest.raises(Conflict, match="审核中"):
        await answering.answer_public(services, msg.id, "sun_li", "您好，另一版答复。")

    assert await approve_chain(sf, draft.id) == ["初审", "终审", "保密审查"]
    await settle(client)
    row = await message_row(sf, msg.id)
    assert row.status == "assigned" and row.answer_route is None  # approved is not answered

    publisher = client.app[keys.PUBLISHER]
    sandbox.set_event_sink(None)
    assert await publisher.publish_due() == 1
    await settle(client)
    row = await message_row(sf, msg.id)
    assert row.status == "assigned" and row.answer_route is None  # sent is not published yet
    shown = await inbox_service.show(services, msg.id, "sun_li")
    assert shown["public_answer"]["state"] == "publishing"

    state = sandbox.wechat.state("ccmz_wechat")
    [job] = state.jobs.values()
    sandbox.wechat.publishing.finish(state, job)
    assert await poll_pending(publisher) == 1
    async with sf() as s:
        pub = (await s.scalars(select(Publication))).one()
    assert pub.status == "published"
    [post] = state.timeline
    content = post.articles[0].content
    assert NAME not in content and PHONE not in content and "高龄津贴" in content

    await settle(client)
    await settle(client)  # twice: answered once, one notification
    row = await message_row(sf, msg.id)
    assert row.status == "answered" and row.answer_route == "public"
    assert row.answered_at is not None
    async with sf() as s:
        replies = (
            await s.scalars(select(MessageReply).where(MessageReply.message_id == msg.id))
        ).all()
        events = (
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "message.answered"))
        ).all()
        told = (
            await s.scalars(
                select(Notification).where(Notification.kind == "message_public_answer")
            )
        ).all()
    assert [(r.route, r.status) for r in replies] == [
        ("cs", "outside_window"),
        ("public", "published"),
    ]
    assert [e.detail["route"] for e in events] == ["public"] and len(told) == 1
    assert told[0].person_id == author.id
    shown = await inbox_service.show(services, msg.id, "sun_li")
    assert shown["answer_route"] == "public" and shown["public_answer"]["state"] == "published"


async def test_a_rejected_public_answer_leaves_the_message_unanswered_and_tells_the_replier(
    client: TestClient[Any, Any], settings: Settings, sf: SessionFactory
) -> None:
    services = client.app[keys.SERVICES]
    earlier = await message_outside_window(client, settings, sf, "养老院暖气不热", "o_public_0")
    await answering.answer_public(services, earlier.id, "sun_li", "您好，已协调恢复供暖。")
    msg = await message_outside_window(client, settings, sf, QUESTION, "o_public_2")
    await answering.answer_public(services, msg.id, "sun_li", ANSWER)
    first = (await message_row(sf, msg.id)).public_draft_id
    async with sf.begin() as s:
        task = (await s.scalars(select(ReviewTask).where(ReviewTask.draft_id == first))).one()
        li_na = await directory.person_by_key(s, "li_na")
        assert li_na is not None
        await queue.claim(s, task.id, li_na)
        await queue.reject(s, task.id, li_na, "答复口径与政策不符")
    for _ in range(2):  # twice: told once; one row a page: the one in review, then this one
        async with sf.begin() as s:
            await public_answers.settle(s, utcnow(), limit=1)
    row = await message_row(sf, msg.id)
    assert row.status == "assigned" and row.answer_route is None
    async with sf() as s:
        told = (
            await s.scalars(
                select(Notification).where(Notification.kind == "message_public_answer")
            )
        ).all()
        reply = await s.scalar(
            select(MessageReply).where(
                MessageReply.route == "public", MessageReply.message_id == msg.id
            )
        )
    assert len(told) == 1 and "被驳回" in told[0].text and "仍未答复" in told[0].text
    assert reply is not None and reply.status == "not_published"
    # a new public answer is a new draft
    again = await answering.answer_public(
        services, msg.id, "sun_li", "您好，已核实，将于月底发放。"
    )
    assert "提交审核" in again
    assert (await message_row(sf, msg.id)).public_draft_id not in (None, first)


async def test_phone_route_is_recorded_and_answers_the_message(
    client: TestClient[Any, Any], settings: Settings, sf: SessionFactory
) -> None:
    services = client.app[keys.SERVICES]
    msg = await message_outside_window(client, settings, sf, QUESTION, "o_phone_1")
    with pytest.raises(ValidationFailed, match="通话摘要不能为空"):
        await answering.answer(services, msg.id, "sun_li", "  ", "phone")
    with pytest.raises(Forbidden):  # another department's replier
        await answering.record_phone(services, msg.id, "zheng_lei", "已致电")
    out = await answering.answer(
        services,
        msg.id,
        "sun_li",
        "12月3日10:20致电留言人，告知津贴月底到账，对方表示满意。",
        "phone",
    )
    assert "已记录电话答复" in out
    row = await message_row(sf, msg.id)
    assert row.status == "answered" and row.answer_route == "phone" and row.answered_at
    async with sf() as s:
        reply = await s.scalar(select(MessageReply).where(MessageReply.message_id == msg.id))
        event = await s.scalar(select(AuditEvent).where(AuditEvent.action == "message.answered"))
    assert reply is not None and (reply.route, reply.status) == ("phone", "recorded")
    assert event is not None and event.actor == "sun_li" and event.detail["route"] == "phone"
    # answered: a public answer is refused, and so is anything after closing
    with pytest.raises(Conflict, match="已答复"):
        await answering.answer_public(services, msg.id, "sun_li", ANSWER)
    await inbox_service.close(services, msg.id, "sun_li", "已电话答复，办结")
    with pytest.raises(Conflict, match="不能再记录"):
        await answering.record_phone(services, msg.id, "sun_li", "又打了一次")
    with pytest.raises(ValidationFailed, match="未知的答复方式"):
        await answering.answer(services, msg.id, "sun_li", ANSWER, "fax")


async def caller(sf: SessionFactory, key: str) -> Caller:
    async with sf() as s:
        p = await directory.person_by_key(s, key)
        assert p is not None
        return Caller(p.id, p.key, p.name, p.department_id, "", frozenset(p.roles.split()))


async def test_refusals_say_why_and_chat_echoes_the_text(
    client: TestClient[Any, Any], settings: Settings, sf: SessionFactory
) -> None:
    services = client.app[keys.SERVICES]
    msg = await message_outside_window(client, settings, sf, QUESTION, "o_refused_1")
    bridge = InboxBridge(services)
    sun_li = await caller(sf, "sun_li")
    leaky = "您好，请联系张三，电话13812345678。"
    with pytest.raises(ValidationFailed) as refused:
        await bridge.answer_public(sun_li, msg.id, leaky)
    assert "个人信息" in refused.value.message and leaky in refused.value.message
    li_na = await caller(sf, "li_na")
    with pytest.raises(Forbidden) as other:
        await bridge.answer_public(li_na, msg.id, ANSWER)
    assert ANSWER in other.value.message
    row = await message_row(sf, msg.id)
    assert row.public_draft_id is None and row.status == "assigned"  # nothing left behind
