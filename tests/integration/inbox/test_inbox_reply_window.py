"""The reply window end to end, on a faked clock shared by the service and the sandbox: a
Friday-evening message is stamped with its window, reminders and the head's escalation come
once each against it, the interim reply reaches the follower inside it exactly once, a second
message reopens it, and the acknowledgement promises the deadline that is tracked."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from console_support import sign_in
from inbox_support import approve_chain, follower
from sqlalchemy import select

from bot import keys
from bot.app import create_app
from bot.config.load import Settings
from bot.inbox import answer_ticks, answering, window_ticks
from bot.inbox import service as inbox_service
from bot.inbox import ticks as ticks_inbox
from bot.platforms.media import media_policy
from bot.platforms.registry import sandbox_loader
from channels.sandbox.app import Sandbox, create_sandbox_app
from channels.sandbox.config import SandboxConfig, WeChatAccount
from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI
from channels.wechat.channel import WeChatChannel
from review import reply_window
from review.db import SessionFactory
from review.media_files import publish_loader
from review.media_renditions import THUMB
from review.models import AuditEvent, CitizenMessage, MessageReply, Notification, Publication
from review.publishing.reconciliation import poll_pending
from review.timefmt import SHANGHAI
from review.workdays import local_date_text

#: Friday 27 November 2026, 18:00 in Beijing: the window closes Sunday 18:00, the deadline
#: (3 working days) is Wednesday 2 December (a date in the past: real time is always later)
ANSWER = "您好，经核实，您母亲的高龄津贴申请已于11月30日审批通过，将于本月底前发放到账。"
FRIDAY_EVENING = datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI).astimezone(UTC)
CLOSES = FRIDAY_EVENING + timedelta(hours=48)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, when: datetime) -> None:
        self.now = when


World = tuple[TestClient, Sandbox, web.Application, Clock]


@pytest.fixture
async def world(
    settings: Settings, sf: SessionFactory, aiohttp_server: Any
) -> AsyncIterator[World]:
    clock = Clock(FRIDAY_EVENING)
    wx = settings.accounts["ccmz_wechat"]
    config = SandboxConfig(
        wechat=(WeChatAccount("ccmz_wechat", wx.app_id, "sandbox-secret"),),
        clock=lambda: clock().timestamp(),
    )
    sandbox_app, sandbox = create_sandbox_app(config)
    server = await aiohttp_server(sandbox_app)
    base = str(server.make_url("")).rstrip("/")
    wapi = WeChatAPI(
        "ccmz_wechat", wx.app_id, "sandbox-secret", tokens=MemoryTokenStore(),
        base_url=f"{base}/wechat",
    )  # fmt: skip
    # covers from the media folder as the demo wiring reads them: a 留言答复 post carries the
    # account's standard cover
    covers = publish_loader(media_policy(settings), profile=THUMB)
    channel = WeChatChannel(wapi, load_cover=sandbox_loader(covers, profile=THUMB))
    app = create_app(settings, channels={"ccmz_wechat": channel}, run_jobs=False)
    app[keys.SANDBOX] = sandbox
    async with TestClient(TestServer(app)) as client:
        app[keys.SERVICES].clock = clock
        yield client, sandbox, app, clock
    await wapi.close()


async def _arrive(world: World, text: str, openid: str = "o_friday") -> tuple[str, CitizenMessage]:
    """The follower writes; the routing tick runs. The passive reply and the routed row."""
    client, _sandbox, app, _clock = world
    settings = app[keys.SETTINGS]
    ack = await follower(client, settings, openid=openid).send_text(text)
    while await ticks_inbox.process_new(app, 50):
        pass
    async with app[keys.SESSIONS]() as s:
        row = (
            await s.scalars(
                select(CitizenMessage)
                .where(CitizenMessage.text == text)
                .order_by(CitizenMessage.id.desc())
            )
        ).first()
    assert row is not None and row.processed and ack.text is not None
    return ack.text, row


async def _notes(sf: SessionFactory, kind: str) -> list[Notification]:
    async with sf() as s:
        q = select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        return list((await s.scalars(q)).all())


async def _clock_tick(app: web.Application, twice: bool = False) -> None:
    await window_ticks.window_clock(app)
    if twice:
        await window_ticks.window_clock(app)


@pytest.mark.pg
async def test_friday_message_window_reminders_and_one_interim(
    world: World, sf: SessionFactory
) -> None:
    client, sandbox, app, clock = world
    _ack, msg = await _arrive(world, "低保金这个月为什么没有到账，家里已经揭不开锅")
    assert msg.reply_window_closes_at == CLOSES and msg.status == "assigned"
    assert msg.deadline_at is not None and msg.deadline_at > CLOSES  # Wednesday

    shown = await inbox_service.show(app[keys.SERVICES], msg.id, "zheng_lei")
    assert shown["reply_window_closes_at"] == CLOSES
    assert shown["reply_window"] == "回复窗口 11月29日 18:00 关闭"
    listed = await inbox_service.list_for(app[keys.SERVICES], "zheng_lei")
    assert listed[0].id == msg.id and listed[0].reply_window == "回复窗口 11月29日 18:00 关闭"
    await sign_in(client, sf, "zheng_lei")
    for path in ("/console/inbox", f"/console/inbox/{msg.id}"):
        assert "回复窗口 11月29日 18:00 关闭" in await (await client.get(path)).text()

    clock.at(CLOSES - timedelta(hours=30))  # nothing due yet
    await _clock_tick(app)
    assert await _notes(sf, "message_window") == []

    clock.at(CLOSES - timedelta(hours=23))  # the 24-hour reminder, once however often it runs
    await _clock_tick(app, twice=True)
    first = await _notes(sf, "message_window")
    assert len(first) == 1 and first[0].department_id == msg.department_id
    assert "11月29日 18:00" in first[0].text and "过渡答复" in first[0].text

    clock.at(CLOSES - timedelta(hours=5))  # the 6-hour one
    await _clock_tick(app, twice=True)
    assert [n.payload["hours"] for n in await _notes(sf, "message_window")] == [24, 6]
    assert sandbox.wechat.state("ccmz_wechat").sent == []  # no interim yet (4 h before)

    clock.at(CLOSES - timedelta(hours=3, minutes=30))  # the interim point has passed
    await asyncio.gather(window_ticks.window_clock(app), window_ticks.window_clock(app))
    await window_ticks.window_clock(app)
    sent = sandbox.wechat.state("ccmz_wechat").sent
    assert len(sent) == 1 and sent[0].openid == "o_friday"
    assert "已转社会救助处办理，预计12月2日（含）前答复。" in sent[0].text
    assert "届时如无法通过本公众号消息回复您" in sent[0].text and "个人信息隐去" in sent[0].text
    assert f"受理编号#{msg.id}" in sent[0].text and "留言答复" in sent[0].text

    clock.at(CLOSES - timedelta(hours=1))  # the head, once
    await _clock_tick(app, twice=True)
    head = await _notes(sf, "message_window_head")
    assert len(head) == 1 and head[0].person_id is not None

    async with sf() as s:
        row = await s.get(CitizenMessage, msg.id)
        replies = list((await s.scalars(select(MessageReply))).all())
        audits = list(
            (await s.scalars(select(AuditEvent).where(AuditEvent.subject_id == str(msg.id)))).all()
        )
    assert row is not None and row.status == "assigned" and row.answer_route is None
    assert row.interim_sent_at == CLOSES - timedelta(hours=3, minutes=30)
    assert [(r.route, r.status) for r in replies] == [("interim", "sent")]
    assert [(a.actor, a.action) for a in audits if a.action.startswith("message.interim")] == [
        ("system", "message.interim_sent")
    ]
    shown = await inbox_service.show(app[keys.SERVICES], msg.id, "zheng_lei")
    assert shown["interim_sent_at"] is not None and shown["replies"][0]["route"] == "interim"


async def test_writing_again_reopens_the_window_of_earlier_messages(
    world: World, sf: SessionFactory
) -> None:
    _client, _sandbox, app, clock = world
    _, first = await _arrive(world, "临时救助审批进度怎么查询", openid="o_again")
    clock.at(FRIDAY_EVENING + timedelta(hours=40))
    _, second = await _arrive(world, "另外想问一下低保边缘家庭怎么认定", openid="o_again")
    async with sf() as s:
        earlier = await s.get(CitizenMessage, first.id)
    reopened = FRIDAY_EVENING + timedelta(hours=88)
    assert earlier is not None and earlier.reply_window_closes_at == reopened
    assert second.reply_window_closes_at == reopened
    clock.at(CLOSES + timedelta(hours=1))  # past the first window, inside the reopened one
    shown = await inbox_service.show(app[keys.SERVICES], first.id, "zheng_lei")
    assert shown["reply_window"] == "回复窗口 12月1日 10:00 关闭"
    result = await inbox_service.send_answer(
        app[keys.SERVICES], first.id, "zheng_lei", "您好，审批进度可在民政局网站查询。"
    )
    assert "已答复" in result


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [
        ({"errcode": 45047}, ("interim", "outside_window", "45047")),
        ({"status": 500}, ("interim", "failed", "平台未确认是否送达")),  # may have arrived
    ],
)
async def test_a_failed_interim_is_recorded_and_not_retried(
    world: World, sf: SessionFactory, fault: dict[str, int], outcome: tuple[str, str, str]
) -> None:
    _client, sandbox, app, clock = world
    _, msg = await _arrive(world, "特困人员供养金发放标准是多少", openid="o_refused")
    sandbox.faults.fail_next("cgi-bin/message/custom/send", 1, **fault)  # type: ignore[arg-type]
    clock.at(CLOSES - timedelta(hours=3))
    await window_ticks.window_clock(app)
    await window_ticks.window_clock(app)  # not tried again
    async with sf() as s:
        replies = list((await s.scalars(select(MessageReply))).all())
        row = await s.get(CitizenMessage, msg.id)
    assert [(r.route, r.status, r.error) for r in replies] == [outcome]
    assert row is not None and row.status == "assigned"
    failed = await _notes(sf, "message_interim_failed")
    assert len(failed) == 1 and "未能自动发出" in failed[0].text
    assert sandbox.wechat.state("ccmz_wechat").sent == []


async def test_no_interim_when_the_deadline_falls_inside_the_window(
    world: World, sf: SessionFactory
) -> None:
    _client, sandbox, app, clock = world
    _, msg = await _arrive(world, "想咨询社会组织年检的材料", openid="o_soon")
    async with sf.begin() as s:  # answered by the end of Saturday: inside the window
        row = await s.get(CitizenMessage, msg.id)
        assert row is not None
        row.deadline_at = CLOSES - timedelta(hours=18)
    clock.at(CLOSES - timedelta(hours=3))
    await window_ticks.window_clock(app)
    assert sandbox.wechat.state("ccmz_wechat").sent == []


async def test_the_ack_promises_the_topic_deadline_that_is_tracked(
    world: World, settings: Settings
) -> None:
    assert settings.file.inbox.topic_deadline_days["婚姻登记"] == 5
    ack, msg = await _arrive(world, "我和爱人想办理离婚登记，请问需要准备哪些证件", openid="o_w")
    assert msg.topic == "婚姻登记" and msg.deadline_at is not None
    promised = re.search(r"在 (\d+) 个工作日内、(\d+年\d+月\d+日)（含）前答复您", ack)
    assert promised is not None, ack
    assert promised.group(1) == "5" and promised.group(2) == local_date_text(msg.deadline_at)
    assert local_date_text(msg.deadline_at) == "2026年12月4日"  # Friday + 5 working days
    assert "3 个工作日" not in ack


@pytest.mark.pg
async def test_friday_evening_message_interim_inside_window_then_public_answer(
    world: World, sf: SessionFactory
) -> None:
    """Issue 14's case end to end: a Friday-evening message whose deadline (Wednesday) falls
    after its window (Sunday 18:00) gets the interim reply inside the window; on Monday the
    customer-service answer can no longer go out, so the replier answers in public — a 留言答复
    post through the account's review chain — and the message is answered only once it is
    published, by route ``public``."""
    _client, sandbox, app, clock = world
    services = app[keys.SERVICES]
    question = "我叫张桂兰，电话13912345678，母亲82岁，申请高龄津贴两个月了还没批下来，怎么办？"
    _ack, msg = await _arrive(world, question, openid="o_weekend")
    assert msg.reply_window_closes_at == CLOSES and msg.deadline_at is not None
    assert msg.deadline_at > CLOSES

    clock.at(CLOSES - timedelta(hours=3, minutes=30))  # Sunday afternoon: the interim goes out
    await window_ticks.window_clock(app)
    state = sandbox.wechat.state("ccmz_wechat")
    assert [(m.openid, f"受理编号#{msg.id}" in m.text) for m in state.sent] == [("o_weekend", True)]

    clock.at(CLOSES + timedelta(hours=15))  # Monday 09:00: the window has shut
    refused = await inbox_service.send_answer(services, msg.id, "sun_li", ANSWER)
    assert "48 小时" in refused and f"公开答复 #{msg.id}" in refused
    started = await answering.answer(services, msg.id, "sun_li", ANSWER, "public")
    assert "提交审核" in started
    async with sf() as s:
        row = await s.get(CitizenMessage, msg.id)
        assert row is not None and row.public_draft_id is not None
        draft_id = row.public_draft_id
    assert await approve_chain(sf, draft_id) == ["初审", "终审", "保密审查"]
    await answer_ticks.settle_public_answers(app)
    assert (await inbox_service.show(services, msg.id, "sun_li"))["answer_route"] is None

    publisher = app[keys.PUBLISHER]
    sandbox.set_event_sink(None)
    assert await publisher.publish_due() == 1
    [job] = state.jobs.values()
    sandbox.wechat.publishing.finish(state, job)
    assert await poll_pending(publisher) == 1
    [post] = state.timeline
    body = post.articles[0].content
    assert "张桂兰" not in body and "13912345678" not in body and ANSWER in body
    assert f"受理编号#{msg.id}" in post.articles[0].title

    await answer_ticks.settle_public_answers(app)
    shown = await inbox_service.show(services, msg.id, "sun_li")
    assert shown["status"] == "answered" and shown["answer_route"] == "public"
    assert [(r["route"], r["status"]) for r in shown["replies"]] == [
        ("interim", "sent"),
        ("cs", "outside_window"),
        ("public", "published"),
    ]
    # the citizen's only private message was the interim reply: published after the window
    # closed, the public answer sends no notice
    assert len(state.sent) == 1
    async with sf() as s:
        noticed = await s.scalars(select(AuditEvent).where(AuditEvent.action.like("%notice%")))
        assert list(noticed.all()) == []


async def _reminders(sf: SessionFactory) -> list[str]:
    return [n.text for n in await _notes(sf, "message_window")]


async def test_a_late_reminder_does_not_promise_an_interim_time_already_past(
    world: World, sf: SessionFactory
) -> None:
    """The tick ran late (an outage): the 6-hour reminder goes out after the interim point; it
    says the interim reply goes out now, not that it will at a time already past."""
    _client, sandbox, app, clock = world
    _, msg = await _arrive(world, "低保金这个月为什么没有到账", openid="o_late")
    clock.at(CLOSES - timedelta(hours=3, minutes=30))  # the interim point (14:00) has passed
    await window_ticks.window_clock(app)
    [text] = await _reminders(sf)
    assert f"留言 #{msg.id}" in text and "过渡答复即将自动发送。" in text
    assert "将于 11月29日 14:00" not in text and "届时仍未答复" not in text
    assert len(sandbox.wechat.state("ccmz_wechat").sent) == 1  # the interim, in the same tick


async def test_a_reminder_after_the_interim_says_it_was_sent(
    world: World, sf: SessionFactory
) -> None:
    _client, sandbox, app, clock = world
    plan = reply_window.WindowPlan(reminder_hours=(24, 3), escalate_hours=1, interim_hours=4)
    services = app[keys.SERVICES]
    _, msg = await _arrive(world, "低保金这个月为什么没有到账", openid="o_after")
    clock.at(CLOSES - timedelta(hours=23))
    await window_ticks.run_window_clock(services, plan)
    assert "届时仍未答复的，系统将于 11月29日 14:00 自动发送过渡答复。" in (await _reminders(sf))[0]
    clock.at(CLOSES - timedelta(hours=3, minutes=50))
    assert await window_ticks.run_window_clock(services, plan) == 1  # the interim
    clock.at(CLOSES - timedelta(hours=2, minutes=50))  # the 3-hour reminder
    await window_ticks.run_window_clock(services, plan)
    later = (await _reminders(sf))[1]
    assert f"留言 #{msg.id}" in later and "已自动发送过渡答复。" in later
    assert "将于" not in later.split("答复期限")[1] and "即将" not in later
    assert len(sandbox.wechat.state("ccmz_wechat").sent) == 1


@pytest.mark.pg
async def test_a_public_answer_published_inside_the_window_is_told_to_the_citizen_once(
    world: World, sf: SessionFactory
) -> None:
    """Answered in public on Saturday while the window (to Sunday 18:00) is open: the follower
    gets one customer-service message with the post's link, however often the tick runs."""
    _client, sandbox, app, clock = world
    services = app[keys.SERVICES]
    question = "我母亲82岁，申请高龄津贴两个月了还没批下来，怎么办？"
    _ack, msg = await _arrive(world, question, openid="o_notice")
    clock.at(FRIDAY_EVENING + timedelta(hours=16))  # Saturday 10:00
    assert "提交审核" in await answering.answer(services, msg.id, "sun_li", ANSWER, "public")
    async with sf() as s:
        row = await s.get(CitizenMessage, msg.id)
        assert row is not None and row.public_draft_id is not None
    assert await approve_chain(sf, row.public_draft_id) == ["初审", "终审", "保密审查"]
    publisher = app[keys.PUBLISHER]
    sandbox.set_event_sink(None)
    assert await publisher.publish_due() == 1
    state = sandbox.wechat.state("ccmz_wechat")
    [job] = state.jobs.values()
    sandbox.wechat.publishing.finish(state, job)
    assert await poll_pending(publisher) == 1
    assert state.sent == []  # published, not yet settled

    await asyncio.gather(
        answer_ticks.settle_public_answers(app), answer_ticks.settle_public_answers(app)
    )
    await answer_ticks.settle_public_answers(app)
    async with sf() as s:
        pub = (await s.scalars(select(Publication))).one()
        replies = list((await s.scalars(select(MessageReply).order_by(MessageReply.id))).all())
        audits = list(
            (await s.scalars(select(AuditEvent).where(AuditEvent.subject_id == str(msg.id)))).all()
        )
    assert pub.url
    assert [(m.openid, m.text) for m in state.sent] == [
        (
            "o_notice",
            f"您好，您的留言（受理编号#{msg.id}）已在本公众号「留言答复」栏目公开答复：{pub.url}",
        )
    ]
    assert [(r.route, r.status) for r in replies] == [("public", "published"), ("notice", "sent")]
    assert [(a.actor, a.action) for a in audits if "notice" in a.action] == [
        ("system", "message.public_notice_sent")
    ]
    shown = await inbox_service.show(services, msg.id, "sun_li")
    assert shown["status"] == "answered" and shown["answer_route"] == "public"
