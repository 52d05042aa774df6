"""Weibo @mentions and answers end to end: the poll pulls statuses and comments that @mention
the account into the inbox once, an answer goes back in place (comments/create, comments/reply)
with route ``comment``, Weibo's limits are refused or reported in Chinese, a fan-service private
message is answered by ``messages/reply`` (route ``cs``), and comments and mentions share one
daily call budget — real app, real database, the shipped sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot import keys
from bot.app import create_app
from bot.config.load import Settings
from bot.inbox import service as inbox_service
from bot.inbox import ticks as ticks_inbox
from bot.inbox import window_ticks
from bot.inbox.inbound import INBOUND
from bot.inbox.weibo_poll import poll_weibo
from channels.base import IncomingMessage, Platform
from channels.sandbox.app import Sandbox, create_sandbox_app
from channels.sandbox.config import SandboxConfig, WeiboAccount
from channels.weibo.api import WeiboAPI
from channels.weibo.channel import WeiboChannel
from review import replies
from review.db import SessionFactory
from review.errors import ValidationFailed
from review.models import AuditEvent, CitizenMessage, MessageReply, utcnow
from review.store import inbox as store
from review.store.directory import account_by_key
from review.timefmt import SHANGHAI

ACCOUNT = "ccmz_weibo"
REPLIER = "he_ping"  # 儿童福利处: the questions below are routed there
QUESTION = "孤儿基本生活费标准是多少？"


@dataclass
class Clock:
    """The service's clock, moved by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)


@dataclass
class World:
    app: web.Application
    sandbox: Sandbox
    sf: SessionFactory
    sandbox_url: str
    clock: Clock

    @property
    def services(self) -> Any:
        return self.app[keys.SERVICES]

    async def poll(self) -> None:
        await poll_weibo(self.app)
        await ticks_inbox.process_new(self.app, 50)

    async def messages(self) -> list[CitizenMessage]:
        async with self.sf() as s:
            q = select(CitizenMessage).where(CitizenMessage.platform == "weibo")
            return list((await s.scalars(q.order_by(CitizenMessage.id))).all())

    async def replies_of(self, message_id: int) -> list[MessageReply]:
        async with self.sf() as s:
            return await store.replies_for(s, message_id)


MakeWorld = Callable[..., Any]


@pytest.fixture
async def make_world(
    settings: Settings, sf: SessionFactory, aiohttp_server: Any
) -> AsyncIterator[MakeWorld]:
    opened: list[tuple[WeiboAPI, TestClient[Any, Any]]] = []

    async def make(budget: int = 60, hour: int = 23, **sandbox: Any) -> World:
        config = SandboxConfig(
            weibo=(
                WeiboAccount(ACCOUNT, "wb-token", "5000000001", "mzj.changchun.gov.cn", "长春民政"),
            ),
            **sandbox,
        )
        sandbox_app, fake = create_sandbox_app(config)
        server = await aiohttp_server(sandbox_app)
        api = WeiboAPI(
            ACCOUNT, "wb-token", rip="127.0.0.1", base_url=str(server.make_url("/weibo"))
        )
        inbox = settings.file.inbox.model_copy(update={"weibo_daily_call_budget": budget})
        tuned = replace(settings, file=settings.file.model_copy(update={"inbox": inbox}))
        channel = WeiboChannel(api, safe_domain="mzj.changchun.gov.cn")
        app = create_app(tuned, channels={ACCOUNT: channel}, run_jobs=False)
        app[keys.SANDBOX] = fake
        # the poll spreads the budget over the Beijing day: today, at ``hour`` o'clock
        clock = Clock(utcnow().astimezone(SHANGHAI).replace(hour=hour, minute=0))
        client = TestClient(TestServer(app))
        await client.start_server()
        app[keys.SERVICES].clock = clock
        opened.append((api, client))
        return World(app, fake, sf, str(server.make_url("")).rstrip("/"), clock)

    yield make
    for api, client in opened:
        await client.close()
        await api.close()


@pytest.mark.pg
async def test_a_mention_is_pulled_once_and_answered_under_the_status(
    make_world: MakeWorld,
) -> None:
    world = await make_world()
    sid = world.sandbox.weibo.mention_in_status(ACCOUNT, QUESTION)
    await world.poll()
    await world.poll()  # the cursor moved: nothing twice
    [msg] = await world.messages()
    assert (msg.msg_type, msg.dedup_key, msg.remote_ref) == (
        "mention_status",
        f"status:{sid}",
        str(sid),
    )
    assert msg.text.endswith(QUESTION) and msg.status == "assigned"

    result = await inbox_service.send_answer(
        world.services, msg.id, REPLIER, "您好，标准见民政局官网公告。"
    )
    assert "已答复" in result
    [comment] = world.sandbox.weibo.state(ACCOUNT).replies
    assert (comment.status_id, comment.reply_to, comment.text) == (
        sid,
        None,
        "您好，标准见民政局官网公告。",
    )
    [answered] = await world.messages()
    assert (answered.status, answered.answer_route) == ("answered", "comment")
    assert answered.answered_at is not None
    [reply] = await world.replies_of(msg.id)
    assert (reply.status, reply.route) == ("sent", "comment")
    async with world.sf() as s:
        events = (
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "message.reply_sent"))
        ).all()
    assert [(e.subject_id, e.detail["route"]) for e in events] == [(str(msg.id), "comment")]
    async with ClientSession() as http, http.get(f"{world.sandbox_url}/timeline") as page:
        html = await page.text()
    shown = html[html.index(f'id="wb-{sid}"') :]
    assert QUESTION in shown and "您好，标准见民政局官网公告。" in shown  # the answer in place


async def test_a_comment_mention_is_answered_as_a_reply_to_the_comment(
    make_world: MakeWorld,
) -> None:
    world = await make_world()
    cid = world.sandbox.weibo.mention_in_comment(ACCOUNT, QUESTION)  # under a citizen's status
    await world.poll()
    [msg] = await world.messages()
    assert (msg.msg_type, msg.dedup_key) == ("mention_comment", str(cid))
    await inbox_service.send_answer(world.services, msg.id, REPLIER, "您好，请见官网公告。")
    [comment] = world.sandbox.weibo.state(ACCOUNT).replies
    assert (comment.reply_to, str(comment.status_id)) == (cid, msg.remote_ref)


async def test_an_answer_over_140_characters_is_refused_with_the_public_route(
    make_world: MakeWorld,
) -> None:
    world = await make_world()
    world.sandbox.weibo.mention_in_status(ACCOUNT, QUESTION)
    await world.poll()
    [msg] = await world.messages()
    long = "您好，" + "孤儿基本生活费按月发放，" * 13
    with pytest.raises(ValidationFailed) as refused:
        await inbox_service.send_answer(world.services, msg.id, REPLIER, long)
    text = str(refused.value)
    assert f"答复共 {len(long)} 字" in text and "140 字" in text
    assert f"公开答复 #{msg.id}" in text
    assert await world.replies_of(msg.id) == []  # nothing stored, nothing cut and sent
    assert world.sandbox.weibo.state(ACCOUNT).replies == []


async def test_personal_data_is_refused_in_a_public_comment(make_world: MakeWorld) -> None:
    world = await make_world()
    world.sandbox.weibo.mention_in_status(ACCOUNT, QUESTION)
    await world.poll()
    [msg] = await world.messages()
    with pytest.raises(ValidationFailed, match="个人信息"):
        await inbox_service.send_answer(
            world.services, msg.id, REPLIER, "请联系张三，电话13912345678"
        )
    assert world.sandbox.weibo.state(ACCOUNT).replies == []


async def test_the_hourly_comment_limit_is_reported_in_chinese(make_world: MakeWorld) -> None:
    world = await make_world(weibo_comments_per_hour=0)
    world.sandbox.weibo.mention_in_status(ACCOUNT, QUESTION)
    await world.poll()
    [msg] = await world.messages()
    result = await inbox_service.send_answer(world.services, msg.id, REPLIER, "您好。")
    assert "每小时上限" in result and "60 分钟后" in result
    [reply] = await world.replies_of(msg.id)
    assert reply.status == "failed" and "每小时上限" in (reply.error or "")
    [still] = await world.messages()
    assert still.status != "answered" and still.answer_route is None


@pytest.mark.pg
async def test_comments_and_mentions_share_one_daily_budget(make_world: MakeWorld) -> None:
    world = await make_world(budget=4)
    sid = world.sandbox.weibo.mention_in_status(ACCOUNT, QUESTION)
    await world.poll()  # comments, status mentions, comment mentions: 3 calls
    await world.poll()  # the 4th call reads comments, then the budget is spent
    world.sandbox.weibo.mention_in_status(ACCOUNT, "儿童福利院开放日是哪天？")
    await world.poll()  # nothing more today
    recorder = world.sandbox.recorder
    calls = {
        e: recorder.count(f"2/{e}")
        for e in ("comments/to_me.json", "statuses/mentions.json", "comments/mentions.json")
    }
    assert calls == {
        "comments/to_me.json": 2,
        "statuses/mentions.json": 1,
        "comments/mentions.json": 1,
    }
    assert [m.dedup_key for m in await world.messages()] == [f"status:{sid}"]
    async with world.sf() as s:
        budget = await store.cursor(s, "weibo:calls:ccmz_weibo")
    assert budget is not None and budget.calls_today == 4


async def test_the_budget_is_spread_over_the_day_and_the_lists_take_turns(
    make_world: MakeWorld,
) -> None:
    world = await make_world(budget=72, hour=0)  # 72 a day: one call every 20 minutes
    await world.poll()  # midnight: one page of each list ahead of the spread
    await world.poll()  # nothing more yet
    sid = world.sandbox.weibo.mention_in_status(ACCOUNT, QUESTION)
    world.clock.now += timedelta(minutes=20)
    await world.poll()  # one more call, and the status mentions go first this time
    recorder = world.sandbox.recorder
    calls = [
        recorder.count(f"2/{e}")
        for e in ("comments/to_me.json", "statuses/mentions.json", "comments/mentions.json")
    ]
    assert calls == [1, 2, 1]
    assert [m.dedup_key for m in await world.messages()] == [f"status:{sid}"]


async def _private_message(world: World, uid: str, text: str) -> CitizenMessage:
    """A fan-service push as the callback stores it (the signed push is tested elsewhere)."""
    now = datetime.now(UTC)
    incoming = IncomingMessage(
        platform=Platform.WEIBO,
        account_key=ACCOUNT,
        dedup_key=f"{uid}:{int(now.timestamp())}:text",
        sender=uid,
        created_at=now,
        msg_type="text",
        text=text,
    )
    async with world.sf.begin() as s:
        account = await account_by_key(s, ACCOUNT)
        assert account is not None
        policy = replies_policy(world)
        await store.insert_messages(s, [replies.new_row(incoming, account.id, now, *policy)])
    await ticks_inbox.process_new(world.app, 50)
    [msg] = [m for m in await world.messages() if m.sender == uid]
    return msg


def replies_policy(world: World) -> tuple[Any, Any]:
    inbound = world.app[INBOUND]
    return inbound.policy, inbound.keywords


async def test_a_private_message_is_answered_by_the_fan_service(make_world: MakeWorld) -> None:
    world = await make_world()
    msg = await _private_message(world, "6000000077", QUESTION)  # routing opens the window
    result = await inbox_service.send_answer(world.services, msg.id, REPLIER, "您好，已收到。")
    assert "已答复" in result
    [sent] = world.sandbox.weibo.state(ACCOUNT).messages
    assert sent.receiver_id == "6000000077" and sent.text == "您好，已收到。"
    [reply] = await world.replies_of(msg.id)
    assert (reply.status, reply.route) == ("sent", "cs")
    [answered] = await world.messages()
    assert answered.answer_route == "cs"


async def test_a_private_message_the_fan_service_refuses_is_outside_its_window(
    make_world: MakeWorld,
) -> None:
    world = await make_world()
    msg = await _private_message(world, "6000000078", QUESTION)
    world.sandbox.weibo.state(ACCOUNT).contacts.clear()  # the platform's quota is gone
    result = await inbox_service.send_answer(world.services, msg.id, REPLIER, "您好。")
    assert "微博粉丝服务 48 小时" in result and "答复已保存" in result
    [reply] = await world.replies_of(msg.id)
    assert reply.status == "outside_window"
    assert world.sandbox.weibo.state(ACCOUNT).messages == []


async def test_a_private_message_gets_its_interim_reply_by_the_fan_service(
    make_world: MakeWorld,
) -> None:
    """Weibo's window is 48 h with no count; the deadline (working days) is later, so 4 h before
    the window closes the interim reply goes out by ``messages/reply`` — once."""
    world = await make_world()
    msg = await _private_message(world, "6000000079", QUESTION)
    assert msg.reply_window_closes_at is not None and msg.deadline_at is not None
    assert msg.deadline_at > msg.reply_window_closes_at
    world.clock.now = msg.reply_window_closes_at - timedelta(hours=3, minutes=30)
    await window_ticks.window_clock(world.app)
    await window_ticks.window_clock(world.app)
    [sent] = world.sandbox.weibo.state(ACCOUNT).messages
    assert sent.receiver_id == "6000000079" and f"受理编号#{msg.id}" in sent.text
    assert "本微博" in sent.text
    [reply] = await world.replies_of(msg.id)
    assert (reply.route, reply.status) == ("interim", "sent")
