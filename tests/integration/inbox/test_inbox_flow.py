"""A citizen's message end to end: callback → routing + notifications → answer through the
sandbox (48 h window), transfer, close, deadlines, Weibo comments — real app, real database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from inbox_support import follower, wait_for
from sqlalchemy import select

from bot import keys
from bot.app import create_app
from bot.config.load import Settings
from bot.inbox import service as inbox_service
from bot.inbox import ticks as ticks_inbox
from channels.sandbox.app import Sandbox, create_sandbox_app
from channels.sandbox.config import SandboxConfig, WeChatAccount, WeiboAccount
from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI
from channels.wechat.channel import WeChatChannel
from channels.weibo.api import WeiboAPI
from channels.weibo.channel import WeiboChannel
from review.db import SessionFactory
from review.errors import Forbidden, ValidationFailed
from review.models import AuditEvent, CitizenMessage, Notification, utcnow


@pytest.fixture
async def world(
    settings: Settings, sf: SessionFactory, aiohttp_server: Any
) -> AsyncIterator[tuple[TestClient, Sandbox, web.Application]]:
    wx = settings.accounts["ccmz_wechat"]
    config = SandboxConfig(
        wechat=(WeChatAccount("ccmz_wechat", wx.app_id, "sandbox-secret"),),
        weibo=(WeiboAccount("ccmz_weibo", "wb-token", "5000000001", "mzj.changchun.gov.cn"),),
    )
    sandbox_app, sandbox = create_sandbox_app(config)
    server = await aiohttp_server(sandbox_app)
    base = str(server.make_url("")).rstrip("/")
    wapi = WeChatAPI(
        "ccmz_wechat",
        wx.app_id,
        "sandbox-secret",
        tokens=MemoryTokenStore(),
        base_url=f"{base}/wechat",
    )
    bapi = WeiboAPI("ccmz_weibo", "wb-token", rip="127.0.0.1", base_url=f"{base}/weibo")
    channels = {
        "ccmz_wechat": WeChatChannel(wapi),
        "ccmz_weibo": WeiboChannel(bapi, safe_domain="mzj.changchun.gov.cn"),
    }
    app = create_app(settings, channels=channels, run_jobs=False)
    app[keys.SANDBOX] = sandbox
    async with TestClient(TestServer(app)) as client:
        yield client, sandbox, app
    await wapi.close()
    await bapi.close()


async def routed(sf: SessionFactory, text: str) -> CitizenMessage:
    async def done() -> bool:
        async with sf() as s:
            row = await s.scalar(select(CitizenMessage).where(CitizenMessage.text == text))
            return row is not None and row.processed

    await wait_for(done)
    async with sf() as s:
        row = await s.scalar(select(CitizenMessage).where(CitizenMessage.text == text))
        assert row is not None
        return row


async def notes(sf: SessionFactory, kind: str) -> list[Notification]:
    async with sf() as s:
        return list((await s.scalars(select(Notification).where(Notification.kind == kind))).all())


@pytest.mark.pg
async def test_hot_message_routed_notified_and_answered(
    world: Any, settings: Settings, sf: SessionFactory
) -> None:
    client, sandbox, app = world
    text = "我父亲住的养老院冬天暖气不热，老人们都冻感冒了"
    ack = await follower(client, settings, openid="o_citizen_9").send_text(text)
    assert ack.text is not None and "受理编号" in ack.text
    msg = await routed(sf, text)
    assert (msg.topic, msg.hot, msg.status) == ("养老服务", True, "assigned")
    new = await notes(sf, "message_new")
    hot = await notes(sf, "message_hot")
    assert [n.subject for n in new] == [f"message:{msg.id}"] and new[
        0
    ].department_id == msg.department_id
    assert len(hot) == 1 and hot[0].person_id is not None
    assert text not in new[0].text  # notifications carry no citizen text

    with pytest.raises(Forbidden):
        await inbox_service.show(app[keys.SERVICES], msg.id, "li_na")  # another department
    shown = await inbox_service.show(app[keys.SERVICES], msg.id, "ma_jun")  # admin
    assert shown["text"] == text
    listed = await inbox_service.list_for(app[keys.SERVICES], "li_na")
    assert all(v.id != msg.id for v in listed)

    with pytest.raises(ValidationFailed, match="个人信息"):
        await inbox_service.send_answer(
            app[keys.SERVICES], msg.id, "sun_li", "请联系张三，电话13912345678"
        )
    result = await inbox_service.send_answer(
        app[keys.SERVICES], msg.id, "sun_li", "您好，已联系该养老院整改供暖，我处将跟踪落实。"
    )
    assert "已答复" in result
    sent = sandbox.wechat.state("ccmz_wechat").sent
    assert len(sent) == 1 and sent[0].openid == "o_citizen_9" and f"编号{msg.id}" in sent[0].text
    async with sf() as s:
        row = await s.get(CitizenMessage, msg.id)
        actions = list((await s.scalars(select(AuditEvent.action))).all())
    assert row is not None and row.status == "answered" and "message.reply_sent" in actions
    assert "已关闭" in await inbox_service.close(
        app[keys.SERVICES], msg.id, "sun_li", "已答复，办结"
    )


async def test_outside_window_is_marked_with_instruction(
    world: Any, settings: Settings, sf: SessionFactory
) -> None:
    client, sandbox, app = world
    text = "低保金这个月为什么没有到账"
    await follower(client, settings, openid="o_citizen_7").send_text(text)
    msg = await routed(sf, text)
    async with sf.begin() as s:  # the citizen wrote three days ago
        row = await s.get(CitizenMessage, msg.id)
        assert row is not None
        row.received_at = utcnow() - timedelta(days=3)
        row.reply_window_closes_at = row.received_at + timedelta(hours=48)
    result = await inbox_service.send_answer(
        app[keys.SERVICES], msg.id, "zheng_lei", "您好，已核实，资金将于本周内发放。"
    )
    assert "48 小时" in result and "电话" in result
    assert sandbox.wechat.state("ccmz_wechat").sent == []
    shown = await inbox_service.show(app[keys.SERVICES], msg.id, "zheng_lei")
    assert shown["replies"][0]["status"] == "outside_window" and shown["status"] == "assigned"


async def test_platform_45015_maps_to_outside_window(
    world: Any, settings: Settings, sf: SessionFactory
) -> None:
    client, sandbox, app = world
    text = "临时救助审批进度怎么查询，已经等了很久"
    await follower(client, settings, openid="o_citizen_8").send_text(text)
    msg = await routed(sf, text)
    sandbox.wechat.state("ccmz_wechat").cs_window.clear()  # the platform forgot the window
    result = await inbox_service.send_answer(
        app[keys.SERVICES], msg.id, "zheng_lei", "您好，请留意乡镇通知。"
    )
    assert "48 小时" in result


async def test_transfer_and_deadlines(world: Any, settings: Settings, sf: SessionFactory) -> None:
    client, _sandbox, app = world
    text = "想咨询一下公益性公墓和节地生态安葬的补贴"
    await follower(client, settings).send_text(text)
    msg = await routed(sf, text)
    assert msg.topic == "殡葬管理"
    out = await inbox_service.transfer(
        app[keys.SERVICES], msg.id, "lin_tao", "assistance", "涉及困难家庭补贴"
    )
    assert "社会救助处" in out
    async with sf.begin() as s:
        row = await s.get(CitizenMessage, msg.id)
        assert row is not None
        row.deadline_at = utcnow() + timedelta(hours=2)
    await ticks_inbox.deadlines(app)
    await ticks_inbox.deadlines(app)  # twice: still one reminder
    assert len(await notes(sf, "message_due")) == 1
    async with sf.begin() as s:
        row = await s.get(CitizenMessage, msg.id)
        assert row is not None
        row.deadline_at = utcnow() - timedelta(minutes=1)
    await ticks_inbox.deadlines(app)
    overdue = await notes(sf, "message_overdue")
    async with sf() as s:
        row = await s.get(CitizenMessage, msg.id)
    assert (
        row is not None and row.status == "overdue" and len(overdue) == 1 and overdue[0].person_id
    )


async def test_weibo_comments_polled_and_answered(
    world: Any, settings: Settings, sf: SessionFactory
) -> None:
    _client, sandbox, app = world
    sid = _seed_status(sandbox)
    sandbox.weibo.add_comment("ccmz_weibo", sid, "孤儿基本生活费标准是多少？")
    await ticks_inbox.poll_weibo(app)
    await ticks_inbox.poll_weibo(app)  # same cursor: nothing twice
    msg = await routed(sf, "孤儿基本生活费标准是多少？")
    assert msg.platform == "weibo" and msg.remote_ref == str(sid)
    result = await inbox_service.send_answer(
        app[keys.SERVICES], msg.id, "he_ping", "您好，标准见民政局官网公告。"
    )
    assert "已答复" in result and len(sandbox.weibo.state("ccmz_weibo").replies) == 1


def _seed_status(sandbox: Sandbox) -> int:
    """Post one status as the account so citizens can comment on it."""
    from channels.sandbox.weibo_api import Status

    state = sandbox.weibo.state("ccmz_weibo")
    status = Status(4_000_000_001, "民政服务 https://mzj.changchun.gov.cn/a", sandbox.weibo.now())
    state.statuses.append(status)
    state.by_id[status.id] = status
    return status.id


@pytest.mark.pg
async def test_two_repliers_at_once_send_one_answer(
    world: Any, settings: Settings, sf: SessionFactory
) -> None:
    """The second reply arrives while the first is still going out: it is refused, not sent."""
    client, sandbox, app = world
    citizen = follower(client, settings, openid="o_two_repliers")
    await citizen.send_text("我父亲住的养老院这几天暖气不热，请民政局帮忙协调")
    await ticks_inbox.process_new(app)
    async with sf() as s:
        msg = (await s.scalars(select(CitizenMessage).where(CitizenMessage.event.is_(None)))).one()
    # the platform takes a second to answer the first send: the second reply surely overlaps
    sandbox.faults.fail_next("cgi-bin/message/custom/send", 1, delay=1.0)
    results = await asyncio.gather(
        inbox_service.send_answer(
            app[keys.SERVICES], msg.id, "sun_li", "您好，已联系养老机构恢复供暖。"
        ),
        inbox_service.send_answer(
            app[keys.SERVICES], msg.id, "zhou_hui", "您好，我们正在协调处理。"
        ),
        return_exceptions=True,
    )
    sent = [r for r in results if isinstance(r, str) and "已答复" in r]
    refused = [r for r in results if not isinstance(r, str)]
    assert len(sent) == 1 and len(refused) == 1, results
    assert "正由他人答复" in str(refused[0])
